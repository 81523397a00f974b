using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>A persistent grain state: the provider stores it as JSON in orleans_grain_state.payload.</summary>
[GenerateSerializer, Alias("Agents.Tests.Platform.StoredCounterState")]
public sealed class StoredCounterState
{
    [Id(0)] public int Value { get; set; }
    [Id(1)] public List<string> Notes { get; set; } = [];
}
