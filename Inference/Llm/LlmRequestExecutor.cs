using System.ClientModel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Agents.Inference.Llm;

/// <summary>
/// Runs one logical request against an endpoint: a slot from the endpoint's concurrency gate per
/// attempt, a per-attempt time limit, and retries with exponential back-off and jitter (or the
/// server's Retry-After) on 408, 429, 5xx, connection failures and time-outs. The OpenAI client's own
/// retry is disabled, so this is the only retry policy. Failures surface typed:
/// <see cref="LlmTimeoutException"/>, <see cref="LlmRequestException"/>; the caller's cancellation
/// stays an <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class LlmRequestExecutor
{
    private readonly LlmEndpointOptions _options;
    private readonly EndpointGate _gate;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly TimeProvider _time;

    public LlmRequestExecutor(LlmEndpointOptions options, EndpointGate gate, ILogger? logger = null, TimeProvider? time = null)
    {
        _options = options;
        _gate = gate;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _retry = BuildRetryPipeline();
    }

    public EndpointGate Gate => _gate;

    /// <summary>Runs <paramref name="call"/> with gate, time limit and retries.</summary>
    public Task<T> ExecuteAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        ExecuteCoreAsync(operation, call, gated: true, cancellationToken);

    /// <summary>
    /// Like <see cref="ExecuteAsync{T}"/> but without taking a gate slot, for a caller that already
    /// holds one for longer than the call (a stream).
    /// </summary>
    public Task<T> ExecuteWithoutGateAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        ExecuteCoreAsync(operation, call, gated: false, cancellationToken);

    private async Task<T> ExecuteCoreAsync<T>(string operation, Func<CancellationToken, Task<T>> call, bool gated, CancellationToken cancellationToken)
    {
        var attempts = 0;
        try
        {
            return await _retry.ExecuteAsync(async token =>
            {
                attempts++;
                using var lease = gated ? await _gate.EnterAsync(token).ConfigureAwait(false) : default;
                return await RunWithTimeLimitAsync(operation, call, attempts, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ClientResultException e)
        {
            throw new LlmRequestException(Describe(operation, e, attempts), e.Status, attempts, e);
        }
        catch (HttpRequestException e)
        {
            throw new LlmRequestException($"{operation} at {_gate.Endpoint} failed after {attempts} attempt(s): {e.Message}", 0, attempts, e);
        }
    }

    private async Task<T> RunWithTimeLimitAsync<T>(string operation, Func<CancellationToken, Task<T>> call, int attempt, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.RequestTimeout);
        try
        {
            return await call(limit.Token).ConfigureAwait(false);
        }
        // Either our limit or the transport's own network time-out fired; the caller did not cancel.
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LlmTimeoutException(
                $"{operation} at {_gate.Endpoint} did not complete within {_options.RequestTimeout.TotalSeconds:0.###} s (attempt {attempt} of {_options.MaxRetries + 1}).",
                _options.RequestTimeout, attempt, e);
        }
    }

    private ResiliencePipeline BuildRetryPipeline()
    {
        if (_options.MaxRetries == 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e)),
                DelayGenerator = args => ValueTask.FromResult(ServerRequestedDelay(args.Outcome.Exception)),
                OnRetry = args =>
                {
                    _logger.LogWarning(args.Outcome.Exception,
                        "LLM request to {Endpoint} failed ({Reason}); retry {Retry} of {MaxRetries} in {DelayMs} ms",
                        _gate.Endpoint, Reason(args.Outcome.Exception), args.AttemptNumber + 1, _options.MaxRetries, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private TimeSpan? ServerRequestedDelay(Exception? exception)
    {
        if (exception is not ClientResultException e) return null;
        var asked = RetryAfter.From(e, _time.GetUtcNow());
        return asked is null ? null : asked.Value > _options.MaxRetryDelay ? _options.MaxRetryDelay : asked.Value;
    }

    /// <summary>Worth another attempt: the server was busy, broken for a moment, unreachable or slow.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        LlmTimeoutException => true,
        ClientResultException { Status: 0 or 408 or 429 or >= 500 } => true,
        HttpRequestException or IOException => true,
        _ => false,
    };

    private static string Reason(Exception? exception) => exception switch
    {
        ClientResultException { Status: > 0 } e => $"HTTP {e.Status}",
        LlmTimeoutException => "time-out",
        null => "no exception",
        _ => exception.GetType().Name,
    };

    private string Describe(string operation, ClientResultException e, int attempts)
    {
        var status = e.Status == 0 ? "no HTTP answer" : $"HTTP {e.Status}";
        return $"{operation} at {_gate.Endpoint} failed with {status} after {attempts} attempt(s): {e.Message}";
    }
}
