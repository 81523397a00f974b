namespace Agents.Abstractions.Workflows;

/// <summary>What a <see cref="WorkflowEvent"/> reports.</summary>
public static class WorkflowEventType
{
    public const string RunStarted = "run.started";
    public const string StepStarted = "step.started";
    public const string ModelCalled = "model.called";
    public const string MemoryRead = "memory.read";
    public const string MemoryWritten = "memory.written";
    public const string StepFinished = "step.finished";
    public const string StepFailed = "step.failed";
    public const string StepSkipped = "step.skipped";
    public const string RunFinished = "run.finished";
    public const string RunFailed = "run.failed";
    public const string RunCancelled = "run.cancelled";

    /// <summary>The types after which a run emits nothing more.</summary>
    public static bool IsFinal(string type) => type is RunFinished or RunFailed or RunCancelled;
}
