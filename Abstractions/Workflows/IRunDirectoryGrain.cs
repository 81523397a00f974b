using Orleans.Concurrency;

namespace Agents.Abstractions.Workflows;

/// <summary>A tenant's runs (key: the tenant), newest first: each run reports itself when it starts
/// and when it ends. Bounded to the most recent <see cref="MaxRuns"/>.</summary>
[Alias("Agents.IRunDirectoryGrain")]
public interface IRunDirectoryGrain : IGrainWithStringKey
{
    const int MaxRuns = 1000;

    [Alias("Report")]
    Task ReportAsync(RunSummary run, CancellationToken cancellationToken = default);

    [Alias("List"), ReadOnly]
    Task<IReadOnlyList<RunSummary>> ListAsync(int limit, string? state = null, CancellationToken cancellationToken = default);
}
