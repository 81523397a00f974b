using System.Collections.Concurrent;

namespace Agents.Inference.Llm;

/// <summary>
/// One concurrency gate per endpoint base URL, shared by every chat client and embedding generator
/// pointed at it: a local server has one GPU queue however many clients talk to it. The first
/// registration of a URL fixes its limit; later ones with a different limit reuse it (logged by the caller).
/// </summary>
public sealed class EndpointConcurrencyRegistry
{
    /// <summary>The process-wide registry used when none is given.</summary>
    public static EndpointConcurrencyRegistry Shared { get; } = new();

    private readonly ConcurrentDictionary<string, EndpointGate> _gates = new(StringComparer.Ordinal);

    public EndpointGate GetGate(Uri endpoint, int maxConcurrentRequests)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentRequests, 1);
        return _gates.GetOrAdd(Key(endpoint), static (key, max) => new EndpointGate(key, max), maxConcurrentRequests);
    }

    /// <summary>
    /// How an endpoint is named in gates and messages: scheme, host and port are case-insensitive; the
    /// path is not, but a trailing slash means nothing.
    /// </summary>
    public static string Key(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + endpoint.AbsolutePath.TrimEnd('/');
    }
}
