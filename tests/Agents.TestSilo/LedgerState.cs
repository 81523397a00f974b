namespace Agents.TestSilo;

[GenerateSerializer, Alias("Agents.TestSilo.LedgerState")]
public sealed class LedgerState
{
    [Id(0)] public List<int> Entries { get; set; } = [];
}
