namespace Agents.Abstractions.Workflows;

/// <summary>What a run does when a step fails (its model failed, timed out or answered garbage).</summary>
public static class WorkflowOnError
{
    /// <summary>The run fails with the step's reason.</summary>
    public const string Fail = "fail";

    /// <summary>The step is tried again (up to <see cref="MaxRetries"/> times), then the run fails.</summary>
    public const string Retry = "retry";

    /// <summary>The step is recorded as skipped and the run goes on without its output.</summary>
    public const string Skip = "skip";

    public const int MaxRetries = 2;

    public static IReadOnlyList<string> All { get; } = [Fail, Retry, Skip];
}
