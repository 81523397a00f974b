namespace Agents.Memory.Pipelines;

/// <summary>Base of the errors a write pipeline reports; when one is thrown nothing of that step was written.</summary>
public class MemoryPipelineException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A model answer named a memory that was not among the ones it was shown (or does not exist).
/// A-MEM linked to such ids (its issue #11); here the whole step is refused and nothing is written.
/// </summary>
public sealed class UnknownMemoryReferenceException(string reference, string step, IReadOnlyCollection<string> allowed)
    : MemoryPipelineException($"The {step} answer refers to memory '{reference}', which was not one of the candidates it was shown ({(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}); nothing was written.")
{
    public string Reference { get; } = reference;
    public string Step { get; } = step;
    public IReadOnlyCollection<string> Allowed { get; } = allowed;
}

/// <summary>A model answer was well-formed JSON but its content breaks the step's rules (an unknown event, two changes to one memory...).</summary>
public sealed class InvalidModelDecisionException(string step, string problem)
    : MemoryPipelineException($"The {step} answer is invalid: {problem}; nothing was written.")
{
    public string Step { get; } = step;
}
