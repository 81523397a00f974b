using Orleans;
using Orleans.Placement;

namespace Agents.Tests.Integration.Platform.TestGrains;

/// <summary>Placed at random, so that a handful of keys lands on every silo of a cluster.</summary>
[RandomPlacement]
public sealed class WhereGrain : Grain, IWhereGrain
{
    public Task<string> SiloAsync() => Task.FromResult(RuntimeIdentity);
}
