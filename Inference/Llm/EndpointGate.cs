using System.Threading.RateLimiting;

namespace Agents.Inference.Llm;

/// <summary>
/// The bound on requests in flight to one endpoint: a concurrency limiter with an unbounded
/// first-come-first-served queue, used as the rate limiter of the endpoint's resilience pipeline. A
/// call holds its slot from its first attempt to its last, back-off waits included, so a busy server
/// is not sent a retry ahead of calls already waiting.
/// </summary>
public sealed class EndpointGate
{
    private readonly ConcurrencyLimiter _limiter;

    internal EndpointGate(string endpoint, int limit)
    {
        Endpoint = endpoint;
        Limit = limit;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = limit,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public string Endpoint { get; }
    public int Limit { get; }

    /// <summary>Calls currently holding a slot.</summary>
    public int InFlight => Limit - (int)(_limiter.GetStatistics()?.CurrentAvailablePermits ?? Limit);

    /// <summary>Waits for a slot; dispose the lease to give it back.</summary>
    public ValueTask<RateLimitLease> AcquireAsync(CancellationToken cancellationToken) => _limiter.AcquireAsync(1, cancellationToken);
}
