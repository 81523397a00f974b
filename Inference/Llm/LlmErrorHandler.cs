using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Agents.Inference.Llm;

/// <summary>
/// The outermost handler of an endpoint's HTTP pipeline and the one place where failures get their
/// meaning: an error status left after the retries becomes <see cref="LlmRequestException"/> (status,
/// attempts, the server's message), a time limit <see cref="LlmTimeoutException"/>, an unreachable server
/// or an open circuit <see cref="LlmRequestException"/> with status 0. The caller's own cancellation
/// passes as it is. The connector above never sees an error answer, so whatever it would make of one
/// cannot differ between chat, embeddings and the kernel.
/// </summary>
internal sealed class LlmErrorHandler(LlmEndpointOptions options, string endpoint) : DelegatingHandler
{
    /// <summary>How much of an error body goes into a message.</summary>
    private const int Excerpt = 500;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var attempts = AttemptCountingHandler.Start(request);
        var operation = Operation(request);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Map(e, operation, attempts.Value, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
        if (response.IsSuccessStatusCode) return response;

        using (response)
        {
            var status = (int)response.StatusCode;
            var detail = await ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
            throw new LlmRequestException(
                $"{operation} at {endpoint} failed with HTTP {status} after {attempts.Value} attempt(s): {detail}", status, attempts.Value);
        }
    }

    private Exception? Map(Exception exception, string operation, int attempts, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return null;
        return exception switch
        {
            TimeoutRejectedException e when e.Timeout == options.RequestTimeout => new LlmTimeoutException(
                $"{operation} at {endpoint} did not complete within {Seconds(e.Timeout)} s (attempt {attempts} of {options.MaxRetries + 1}).",
                e.Timeout, attempts, e),
            TimeoutRejectedException e => new LlmTimeoutException(
                $"{operation} at {endpoint} did not complete within {Seconds(e.Timeout)} s in total ({attempts} attempt(s)).",
                e.Timeout, attempts, e),
            BrokenCircuitException e => new LlmRequestException(
                $"{operation} at {endpoint} was not sent: recent failures opened the circuit breaker ({e.Message})", 0, attempts, e),
            HttpRequestException e => new LlmRequestException(
                $"{operation} at {endpoint} failed with no HTTP answer after {attempts} attempt(s): {e.Message}", 0, attempts, e),
            // A transport time-out of its own; the caller did not cancel.
            OperationCanceledException e => new LlmTimeoutException(
                $"{operation} at {endpoint} was abandoned by the transport after {attempts} attempt(s): {e.Message}", options.RequestTimeout, attempts, e),
            _ => null,
        };
    }

    private static string Operation(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal)) return "chat completion";
        if (path.EndsWith("/embeddings", StringComparison.Ordinal)) return "embedding";
        return $"{request.Method} {path}";
    }

    // OpenAI puts the message at error.message, vLLM and llama.cpp at message or error.message, others at detail.
    private static async Task<string> ErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return $"(the error body could not be read: {e.Message})";
        }
        if (string.IsNullOrWhiteSpace(body)) return response.ReasonPhrase ?? "(no message)";
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String) return Shorten(error.GetString());
                    if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var nested) && nested.ValueKind == JsonValueKind.String)
                        return Shorten(nested.GetString());
                }
                foreach (var name in (ReadOnlySpan<string>)["message", "detail"])
                {
                    if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) return Shorten(value.GetString());
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the text itself is the message.
        }
        return Shorten(body);
    }

    private static string Shorten(string? text) =>
        string.IsNullOrEmpty(text) ? "(no message)" : text.Length <= Excerpt ? text : string.Concat(text.AsSpan(0, Excerpt), "…");

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
