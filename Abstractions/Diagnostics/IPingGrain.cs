using Orleans.Concurrency;

namespace Agents.Abstractions.Diagnostics;

/// <summary>A trivial grain for liveness checks and call-latency measurements: it answers with the silo
/// it runs on and does nothing else.</summary>
[Alias("Agents.IPingGrain")]
public interface IPingGrain : IGrainWithStringKey
{
    [Alias("Ping"), ReadOnly]
    Task<string> PingAsync();
}
