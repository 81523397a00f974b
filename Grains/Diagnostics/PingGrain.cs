using Agents.Abstractions.Diagnostics;
using Orleans.Concurrency;

namespace Agents.Grains.Diagnostics;

[Reentrant]
public sealed class PingGrain : Grain, IPingGrain
{
    public Task<string> PingAsync() => Task.FromResult(RuntimeIdentity);
}
