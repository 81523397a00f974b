namespace Agents.Memory.Model;

/// <summary>Base of every error the memory model and stores raise on purpose.</summary>
public class MemoryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Base of the bad-input errors: the write was refused and nothing was written.</summary>
public class InvalidMemoryInputException(string message) : MemoryException(message);

/// <summary>The scope is missing, empty, or holds an unusable id.</summary>
public sealed class InvalidMemoryScopeException(string message) : InvalidMemoryInputException(message);

/// <summary>An embedding does not have the store's fixed dimension.</summary>
public sealed class EmbeddingDimensionException(int expected, int actual, string what)
    : InvalidMemoryInputException($"{what} has {actual} dimensions; this store holds {expected}-dimensional embeddings.")
{
    public int Expected { get; } = expected;
    public int Actual { get; } = actual;
}

/// <summary>An embedding holds NaN or infinity, or is all zeros (no direction, so no cosine).</summary>
public sealed class InvalidEmbeddingException(string message) : InvalidMemoryInputException(message);

/// <summary>Content is empty, blank or longer than the configured limit; or another field is malformed.</summary>
public sealed class InvalidMemoryContentException(string message) : InvalidMemoryInputException(message);

/// <summary>A record or edge named by id does not exist (or lies in another tenant).</summary>
public sealed class MemoryNotFoundException(string message) : MemoryException(message);

/// <summary>A concurrent change won: the version read is no longer current, or the id is taken.</summary>
public sealed class MemoryConflictException(string message) : MemoryException(message);
