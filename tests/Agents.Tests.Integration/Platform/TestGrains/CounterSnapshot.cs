using Orleans;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>What a counter grain holds, which activation holds it, and at which storage ETag.</summary>
[GenerateSerializer, Alias("Agents.Tests.Platform.CounterSnapshot")]
public sealed record CounterSnapshot([property: Id(0)] int Value, [property: Id(1)] Guid Activation, [property: Id(2)] string? ETag, [property: Id(3)] bool RecordExists);
