using Agents.Inference.Llm;
using Agents.Memory.Pipelines.Team;

namespace Agents.Memory.Pipelines.Llm;

/// <summary>G-Memory's trajectory condensation by one structured call; a failed task must come back with its reason.</summary>
public sealed class LlmTaskCondenser(IStructuredChat chat) : ITaskCondenser
{
    public async ValueTask<CondensedTask> CondenseAsync(TeamTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var prompt = MemoryPrompts.TaskCondensation(task);
        var dto = await chat.CompleteJsonAsync(prompt.System, prompt.User, PipelineJsonContext.Default.CondensedTaskDto, cancellationToken).ConfigureAwait(false);
        var steps = LlmNoteEnricher.Clean(dto.KeySteps);
        if (steps.Count == 0 && task.Steps.Count > 0) throw new InvalidModelDecisionException("task condensation", "no key steps for a task that has steps");
        if (!task.Succeeded && string.IsNullOrWhiteSpace(dto.FailureReason)) throw new InvalidModelDecisionException("task condensation", "a failed task without a failure reason");
        return new CondensedTask(task.Task, steps, task.Succeeded, task.Succeeded ? null : dto.FailureReason!.Trim());
    }
}
