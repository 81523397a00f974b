namespace Agents.Abstractions.Workflows;

/// <summary>Where a run stands.</summary>
public static class WorkflowRunState
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinished(string state) => state is Completed or Failed or Cancelled;
}
