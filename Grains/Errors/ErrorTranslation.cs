using System.Data.Common;
using Agents.Abstractions;
using Agents.Inference.Attention;
using Agents.Inference.Batching;
using Agents.Inference.Llm;
using Agents.Memory.Model;

namespace Agents.Grains.Errors;

/// <summary>
/// Maps the engine's and models' exceptions onto the contracts' (<see cref="AgentsException"/>), which
/// callers outside the silo know and can act on: fix the request, look elsewhere, retry later.
/// </summary>
public static class ErrorTranslation
{
    /// <summary>The contract exception for <paramref name="error"/>, or null to let it through unchanged.</summary>
    public static AgentsException? Translate(Exception error) => error switch
    {
        AgentsException => null,
        MemoryNotFoundException e => new NotFoundException(e.Message),
        EmptyBankException e => new NotFoundException(e.Message),
        MemoryConflictException e => new ConflictException(e.Message),
        InvalidMemoryInputException e => new InvalidRequestException(e.Message),
        BatcherOverloadedException e => new OverloadedException(e.Message),
        LlmTimeoutException e => new ModelFailedException(e.Message, "timeout"),
        LlmRequestException e => new ModelFailedException(e.Message, "http"),
        LlmOutputException e => new ModelFailedException(e.Message, "output"),
        LlmEmbeddingException e => new ModelFailedException(e.Message, "embedding"),
        ArgumentException e => new InvalidRequestException(e.Message),
        FormatException e => new InvalidRequestException(e.Message),
        // The database's own exceptions have no codec on the wire (a caller on another silo would get a
        // serialization error instead): they cross as a contract exception that says what to do.
        DbException e => new StoreUnavailableException($"The memory database failed the request: {e.Message}"),
        _ => null,
    };
}
