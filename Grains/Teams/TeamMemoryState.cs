using Agents.Abstractions.Teams;

namespace Agents.Grains.Teams;

/// <summary>A team grain's own state: the runs accepted and not yet recorded (oldest first), and the
/// runs already recorded (newest last, bounded), so a run finished again after a crash is not recorded twice.</summary>
[GenerateSerializer, Alias("Agents.TeamMemoryState")]
public sealed class TeamMemoryState
{
    public const int MaxRemembered = 10_000;

    [Id(0)] public List<string> RecordedRuns { get; set; } = [];
    [Id(1)] public List<TeamRunRecord> Pending { get; set; } = [];
}
