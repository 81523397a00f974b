using Agents.Abstractions.Workflows;

namespace Agents.Grains.Workflows;

[GenerateSerializer, Alias("Agents.RunDirectoryState")]
public sealed class RunDirectoryState
{
    /// <summary>Oldest first.</summary>
    [Id(0)] public List<RunSummary> Runs { get; set; } = [];
}
