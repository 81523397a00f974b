namespace Agents.Inference.Llm;

/// <summary>
/// One OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, OpenAI). Bound from the
/// configuration section <c>Agents:Llm</c> by <see cref="LlmServiceCollectionExtensions"/>.
/// No <see cref="BaseUrl"/> means "no endpoint": the offline models are used instead.
/// </summary>
public sealed class LlmEndpointOptions
{
    public const string SectionName = "Agents:Llm";

    /// <summary>
    /// Base URL of the OpenAI-compatible API, e.g. <c>http://localhost:8000/v1</c>. A URL with an empty
    /// path gets <c>/v1</c> appended, since vLLM, Ollama and llama.cpp all serve the API there.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>API key; optional for local servers (a placeholder is sent, which they ignore).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Chat model name; no chat client is built without one.</summary>
    public string? ChatModel { get; set; }

    /// <summary>Embedding model name; no embedding generator is built without one.</summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>Expected embedding dimension; every returned vector is checked against it when set.</summary>
    public int? EmbeddingDimension { get; set; }

    /// <summary>
    /// Send <see cref="EmbeddingDimension"/> as the request's <c>dimensions</c> (OpenAI text-embedding-3
    /// models shorten their vectors); many local servers reject the field, so it is off by default.
    /// </summary>
    public bool RequestEmbeddingDimension { get; set; }

    /// <summary>
    /// Time limit of one HTTP attempt (until the answer's headers arrive), and of each wait for more of an
    /// answer's body; exceeding it is retried, then reported as <see cref="LlmTimeoutException"/>.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Time limit of one call including its retries and back-off waits (not the wait for a concurrency
    /// slot). Null: <see cref="DefaultTotalRequestTimeout"/>, which never cuts short what the per-attempt
    /// settings allow.
    /// </summary>
    public TimeSpan? TotalRequestTimeout { get; set; }

    /// <summary>Retries after the first attempt on 408, 429, 5xx, connection failures and time-outs.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First back-off delay; doubles per retry, with jitter. A server's Retry-After takes precedence.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound on any single wait between attempts, including one asked for by Retry-After.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Requests in flight at once to this base URL, shared by every client pointed at it.</summary>
    public int MaxConcurrentRequests { get; set; } = 4;

    /// <summary>How <see cref="StructuredChat"/> asks for JSON.</summary>
    public JsonOutputMode JsonMode { get; set; } = JsonOutputMode.JsonObject;

    /// <summary>Sampling temperature for structured calls; 0 keeps extraction deterministic where the server allows.</summary>
    public float? StructuredTemperature { get; set; } = 0f;

    /// <summary>Output token limit for structured calls; null leaves the server's default.</summary>
    public int? StructuredMaxOutputTokens { get; set; }

    /// <summary>The smallest and largest time limits the resilience pipeline accepts.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    /// <summary>
    /// Every attempt at its full time limit, each followed by the longest back-off, and one attempt's time
    /// to spare (so scheduling delays on a loaded machine never let it pre-empt the last attempt's own
    /// limit); capped at <see cref="MaxTimeout"/>.
    /// </summary>
    public TimeSpan DefaultTotalRequestTimeout
    {
        get
        {
            var milliseconds = (RequestTimeout + MaxRetryDelay).TotalMilliseconds * (MaxRetries + 1.0) + RequestTimeout.TotalMilliseconds;
            return milliseconds >= MaxTimeout.TotalMilliseconds ? MaxTimeout : TimeSpan.FromMilliseconds(milliseconds);
        }
    }

    /// <summary><see cref="TotalRequestTimeout"/> or, unset, <see cref="DefaultTotalRequestTimeout"/>.</summary>
    public TimeSpan EffectiveTotalRequestTimeout => TotalRequestTimeout ?? DefaultTotalRequestTimeout;

    /// <summary>True when an endpoint is configured at all.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(BaseUrl);

    /// <summary>The base URL as the OpenAI client wants it (absolute, with an API path).</summary>
    public Uri GetEndpointUri()
    {
        if (string.IsNullOrWhiteSpace(BaseUrl))
            throw new LlmConfigurationException($"{nameof(BaseUrl)} is not set: there is no LLM endpoint to call.");
        if (!Uri.TryCreate(BaseUrl.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new LlmConfigurationException($"{nameof(BaseUrl)} '{BaseUrl}' is not an absolute http(s) URL.");
        var path = uri.AbsolutePath.TrimEnd('/');
        return new UriBuilder(uri) { Path = path.Length == 0 ? "/v1" : path }.Uri;
    }

    /// <summary>Every problem with these options, each naming its setting; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IsConfigured) return errors;
        try { GetEndpointUri(); } catch (LlmConfigurationException e) { errors.Add(e.Message); }
        if (string.IsNullOrWhiteSpace(ChatModel) && string.IsNullOrWhiteSpace(EmbeddingModel))
            errors.Add($"{nameof(BaseUrl)} is set but neither {nameof(ChatModel)} nor {nameof(EmbeddingModel)} is.");
        if (EmbeddingDimension is <= 0) errors.Add($"{nameof(EmbeddingDimension)} must be positive, not {EmbeddingDimension}.");
        if (RequestEmbeddingDimension && EmbeddingDimension is null)
            errors.Add($"{nameof(RequestEmbeddingDimension)} needs {nameof(EmbeddingDimension)}.");
        // The circuit breaker samples over at least two attempts, and no span may exceed a day.
        if (RequestTimeout < MinTimeout || RequestTimeout > MaxTimeout / 2)
            errors.Add($"{nameof(RequestTimeout)} must be between 10 ms and 12 hours, not {RequestTimeout}.");
        if (TotalRequestTimeout is { } total && (total < RequestTimeout || total > MaxTimeout))
            errors.Add($"{nameof(TotalRequestTimeout)} must be at least {nameof(RequestTimeout)} and at most one day, not {total}.");
        if (MaxRetries < 0) errors.Add($"{nameof(MaxRetries)} must be zero or more, not {MaxRetries}.");
        if (RetryBaseDelay < TimeSpan.Zero) errors.Add($"{nameof(RetryBaseDelay)} must not be negative.");
        if (MaxRetryDelay < RetryBaseDelay || MaxRetryDelay > TimeSpan.FromDays(1))
            errors.Add($"{nameof(MaxRetryDelay)} must be at least {nameof(RetryBaseDelay)} and at most one day.");
        if (MaxConcurrentRequests < 1) errors.Add($"{nameof(MaxConcurrentRequests)} must be at least 1, not {MaxConcurrentRequests}.");
        if (StructuredMaxOutputTokens is <= 0) errors.Add($"{nameof(StructuredMaxOutputTokens)} must be positive.");
        return errors;
    }

    /// <summary>Throws <see cref="LlmConfigurationException"/> listing every problem.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new LlmConfigurationException("Invalid LLM endpoint options: " + string.Join(" ", errors));
    }
}
