using Agents.Abstractions.Workflows;

namespace Agents.Grains.Workflows;

/// <summary>A tenant's list of runs, kept in grain state; a run's latest report replaces its earlier one.</summary>
public sealed class RunDirectoryGrain([PersistentState("run-directory")] IPersistentState<RunDirectoryState> state) : Grain, IRunDirectoryGrain
{
    public async Task ReportAsync(RunSummary run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var runs = state.State.Runs;
        var index = runs.FindIndex(r => r.RunId == run.RunId);
        if (index >= 0) runs[index] = run;
        else runs.Add(run);
        if (runs.Count > IRunDirectoryGrain.MaxRuns) runs.RemoveRange(0, runs.Count - IRunDirectoryGrain.MaxRuns);
        await state.WriteStateAsync(cancellationToken);
    }

    public Task<IReadOnlyList<RunSummary>> ListAsync(int limit, string? filter = null, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > IRunDirectoryGrain.MaxRuns) throw new ArgumentOutOfRangeException(nameof(limit), limit, $"limit must be between 1 and {IRunDirectoryGrain.MaxRuns}.");
        IReadOnlyList<RunSummary> runs = state.State.Runs.AsEnumerable().Reverse()
            .Where(r => filter is null || r.State == filter).Take(limit).ToArray();
        return Task.FromResult(runs);
    }
}
