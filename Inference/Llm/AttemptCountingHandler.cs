using System.Runtime.CompilerServices;

namespace Agents.Inference.Llm;

/// <summary>
/// The innermost handler of an endpoint's HTTP pipeline, below the retries: counts the attempts of a
/// request in a box that <see cref="LlmErrorHandler"/> put on it, so an error can say how many were made.
/// </summary>
internal sealed class AttemptCountingHandler : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<StrongBox<int>> Key = new("Agents.Llm.Attempts");

    /// <summary>Puts a fresh counter on <paramref name="request"/>.</summary>
    public static StrongBox<int> Start(HttpRequestMessage request)
    {
        var attempts = new StrongBox<int>();
        request.Options.Set(Key, attempts);
        return attempts;
    }

    /// <summary>The attempts made so far for <paramref name="request"/>; 0 without a counter.</summary>
    public static int Count(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var attempts) ? Volatile.Read(ref attempts.Value) : 0;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(Key, out var attempts)) Interlocked.Increment(ref attempts.Value);
        return base.SendAsync(request, cancellationToken);
    }
}
