namespace Agents.Grains.Memory;

/// <summary>How memory grains run their scope's background pipeline (section <c>Agents:Memory:Pipeline</c>).</summary>
public sealed class MemoryGrainOptions
{
    public const string Section = "Agents:Memory:Pipeline";

    /// <summary>Period of the reminder that resumes a scope's pipeline on another silo after a crash.
    /// Orleans refuses periods below its <c>ReminderOptions.MinimumReminderPeriod</c> (1 minute by default).</summary>
    public TimeSpan ResumeReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Pipeline jobs this silo runs at once, over all scopes. 0: half the cores with offline
    /// models (so that adds and searches keep the rest), eight per core with a model endpoint.</summary>
    public int MaxConcurrentJobs { get; set; }

    /// <summary>Wait before trying again when the store itself failed a pipeline pass.</summary>
    public TimeSpan StoreRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait before looking at the scope's queue again while work is pending elsewhere
    /// (another worker's lease, a retry's back-off).</summary>
    public TimeSpan MaxRecheckDelay { get; set; } = TimeSpan.FromSeconds(10);
}
