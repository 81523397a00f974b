namespace Agents.Tests.Integration.Grains.TestGrains;

[GenerateSerializer, Alias("Agents.Tests.CounterState")]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }
}
