using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace Agents.Inference.Llm;

/// <summary>
/// Sets the standard resilience handler of an endpoint's HttpClient from <see cref="LlmEndpointOptions"/>:
/// the endpoint's <see cref="EndpointGate"/> as its rate limiter, <see cref="LlmEndpointOptions.EffectiveTotalRequestTimeout"/>
/// over everything, <see cref="LlmEndpointOptions.MaxRetries"/> retries on 408, 429, 5xx, connection
/// failures and attempt time-outs with exponential back-off and jitter, where a server's
/// <c>retry-after-ms</c> or <c>Retry-After</c> wins (capped at <see cref="LlmEndpointOptions.MaxRetryDelay"/>),
/// and <see cref="LlmEndpointOptions.RequestTimeout"/> per attempt.
/// </summary>
internal static class LlmResilience
{
    /// <summary>The circuit breaker's shortest sampling window (its default); it must also cover two attempts.</summary>
    private static readonly TimeSpan MinSamplingDuration = TimeSpan.FromSeconds(30);

    public static void Configure(HttpStandardResilienceOptions resilience, LlmEndpointOptions options, EndpointGate gate, TimeProvider time, ILogger logger)
    {
        resilience.RateLimiter.RateLimiter = args => gate.AcquireAsync(args.Context.CancellationToken);
        resilience.TotalRequestTimeout.Timeout = options.EffectiveTotalRequestTimeout;
        resilience.AttemptTimeout.Timeout = options.RequestTimeout;

        var retry = resilience.Retry;
        // The strategy insists on at least one retry; with none configured it is asked never to retry.
        retry.MaxRetryAttempts = Math.Max(1, options.MaxRetries);
        retry.ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && HttpClientResiliencePredicates.IsTransient(args.Outcome));
        retry.BackoffType = DelayBackoffType.Exponential;
        retry.UseJitter = true;
        retry.Delay = options.RetryBaseDelay;
        retry.MaxDelay = options.MaxRetryDelay;
        retry.ShouldRetryAfterHeader = false; // replaced below: it reads Retry-After only, and without a cap
        retry.DelayGenerator = args => ValueTask.FromResult(ServerRequestedDelay(args.Outcome.Result, options.MaxRetryDelay, time));
        retry.OnRetry = args =>
        {
            logger.LogWarning(args.Outcome.Exception,
                "LLM request to {Endpoint} failed ({Reason}); retry {Retry} of {MaxRetries} in {DelayMs} ms",
                gate.Endpoint, Reason(args.Outcome), args.AttemptNumber + 1, options.MaxRetries, (long)args.RetryDelay.TotalMilliseconds);
            return ValueTask.CompletedTask;
        };

        var sampling = options.RequestTimeout * 2;
        resilience.CircuitBreaker.SamplingDuration = sampling > MinSamplingDuration ? sampling : MinSamplingDuration;
    }

    private static TimeSpan? ServerRequestedDelay(HttpResponseMessage? response, TimeSpan cap, TimeProvider time)
    {
        if (response is null || RetryAfter.From(response, time.GetUtcNow()) is not { } asked) return null;
        return asked > cap ? cap : asked;
    }

    private static string Reason(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => $"HTTP {(int)response.StatusCode}",
        { Exception: Polly.Timeout.TimeoutRejectedException } => "time-out",
        { Exception: { } exception } => exception.GetType().Name,
        _ => "unknown",
    };
}
