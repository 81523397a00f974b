using Agents.Abstractions;
using Agents.Runtime;

namespace Agents.Bench;

/// <summary>The trivial grain method the runtime benchmark calls.</summary>
public interface IBenchGrain : IGrainWithStringKey
{
    Task<int> PingAsync(int value);
}

/// <summary>The same, placed only on the silo with the <c>bench-remote</c> role (the peer process).</summary>
public interface IRemoteBenchGrain : IGrainWithStringKey
{
    Task<int> PingAsync(int value);
}

public sealed class BenchGrain : Grain, IBenchGrain
{
    public Task<int> PingAsync(int value) => Task.FromResult(value + 1);
}

[RequiresRole(RuntimeBench.RemoteRole)]
public sealed class RemoteBenchGrain : Grain, IRemoteBenchGrain
{
    public Task<int> PingAsync(int value) => Task.FromResult(value + 1);
}
