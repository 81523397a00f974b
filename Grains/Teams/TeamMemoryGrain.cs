using Agents.Abstractions.Teams;
using Agents.Grains.Memory;
using Agents.Memory.Model;
using Agents.Memory.Pipelines.Team;
using Agents.Memory.Stores;

namespace Agents.Grains.Teams;

/// <summary>
/// A team's G-Memory: a thin grain over <see cref="TeamMemory"/> on the team's memory scope. Being one
/// activation per team orders the records (insight refinement reads and rewrites the team's insights);
/// recalls interleave.
/// </summary>
public sealed class TeamMemoryGrain(
    [PersistentState("team-memory")] IPersistentState<TeamMemoryState> state,
    TeamMemory teams,
    IMemoryStore store) : Grain, ITeamMemoryGrain
{
    private TeamKey? _key;

    private TeamKey Key => _key ??= TeamKey.Parse(this.GetPrimaryKeyString());
    private MemoryScope Scope => Key.Scope.ToScope();

    public async Task<TeamContext> RecallAsync(string task, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        var recall = await teams.RecallAsync(Scope, task, cancellationToken: cancellationToken);
        return new TeamContext(
            recall.Insights.Select(ToInsight).ToArray(),
            recall.SuccessfulTrajectories.Concat(recall.FailedTrajectories).Select(ToTrajectory).ToArray(),
            recall.RelatedTasks.Select(r => r.Id).ToArray());
    }

    public async Task<bool> RecordRunAsync(TeamRunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (state.State.RecordedRuns.Contains(run.RunId)) return false;
        var steps = run.Steps.Select(s => new AgentStep(s.Agent, s.Message) { Instruction = s.Instruction, Action = s.Action, Observation = s.Outcome }).ToArray();
        await teams.RecordTaskAsync(Scope, new TeamTask(run.Task, steps, run.Succeeded), run.At, cancellationToken);
        if (run.InsightsUsed.Count > 0)
        {
            // An insight retired or merged since the run began no longer takes part.
            var live = (await store.GetManyAsync(run.InsightsUsed, cancellationToken)).Where(r => r.Kind == MemoryKind.Insight).Select(r => r.Id).ToArray();
            if (live.Length > 0) await teams.ReportOutcomeAsync(live, run.Succeeded, cancellationToken);
        }
        state.State.RecordedRuns.Add(run.RunId);
        if (state.State.RecordedRuns.Count > TeamMemoryState.MaxRemembered) state.State.RecordedRuns.RemoveAt(0);
        await state.WriteStateAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<TeamInsight>> InsightsAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be between 1 and 1000.");
        var insights = await store.ListAsync(new MemoryFilter(Scope) { Kinds = [MemoryKind.Insight] }, 1000, 0, cancellationToken);
        return insights.Where(i => i.ExpiredAt is null).OrderByDescending(TeamMemory.Score).ThenBy(i => i.CreatedAt).Take(limit).Select(ToInsight).ToArray();
    }

    public async Task<IReadOnlyList<TeamTrajectory>> RunsAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be between 1 and 1000.");
        var filter = new MemoryFilter(Scope) { Kinds = [MemoryKind.Trajectory] };
        var total = await store.CountAsync(filter, cancellationToken);
        var newest = await store.ListAsync(filter, limit, (int)Math.Max(0, total - limit), cancellationToken);
        return newest.Reverse().Select(ToTrajectory).ToArray();
    }

    private static TeamInsight ToInsight(MemoryRecord r) => new(r.Id, r.Content, TeamMemory.Score(r));

    private static TeamTrajectory ToTrajectory(MemoryRecord r)
    {
        var lines = r.Content.Split('\n');
        return new TeamTrajectory(r.Id, lines[0], lines.Skip(1).ToArray(), r.Metadata.GetValueOrDefault(TeamMemory.SucceededKey) == "true");
    }
}
