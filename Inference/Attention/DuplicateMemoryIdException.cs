namespace Agents.Inference.Attention;

/// <summary>An insert named an id that is already in the bank (use Update to replace it).</summary>
public sealed class DuplicateMemoryIdException(long id, string paramName)
    : ArgumentException($"memory id {id} is already in the bank; use Update to replace it.", paramName)
{
    public long Id { get; } = id;
}
