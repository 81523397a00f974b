namespace Agents.Grains.Workflows;

/// <summary>How workflow runs are kept going (section <c>Agents:Workflows</c>).</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Agents:Workflows";

    /// <summary>Period of the reminders that resume a run, or a team's queue of run records, on another
    /// silo after its silo died. Orleans refuses periods below its <c>ReminderOptions.MinimumReminderPeriod</c>
    /// (1 minute by default).</summary>
    public TimeSpan ResumeReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait of one events call for new events.</summary>
    public TimeSpan MaxEventWait { get; set; } = TimeSpan.FromSeconds(25);
}
