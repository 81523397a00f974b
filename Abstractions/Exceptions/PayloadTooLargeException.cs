namespace Agents.Abstractions;

/// <summary>A message exceeded the configured maximum size; it was not sent.</summary>
public sealed class PayloadTooLargeException(int size, int limit, string what)
    : GrainRuntimeException($"{what} is {size} bytes, over the limit of {limit} bytes.")
{
    public int Size { get; } = size;
    public int Limit { get; } = limit;
    /// <summary>Which message was too large, e.g. <c>request IFoo.Bar to foo/x</c>.</summary>
    public string What { get; } = what;
}
