using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Agents.Inference.Llm;

/// <summary>
/// Reads <see cref="LlmEndpointOptions"/> from a configuration section (keys named as the properties,
/// e.g. <c>Agents:Llm:BaseUrl</c>, or <c>Agents__Llm__BaseUrl</c> in the environment). Time spans are
/// either <c>hh:mm:ss</c> or a number of seconds. A value that does not parse is an error naming its key.
/// </summary>
public static class LlmEndpointOptionsReader
{
    public static LlmEndpointOptions Read(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new LlmEndpointOptions
        {
            BaseUrl = Text(section, nameof(LlmEndpointOptions.BaseUrl)),
            ApiKey = Text(section, nameof(LlmEndpointOptions.ApiKey)),
            ChatModel = Text(section, nameof(LlmEndpointOptions.ChatModel)),
            EmbeddingModel = Text(section, nameof(LlmEndpointOptions.EmbeddingModel)),
            EmbeddingDimension = Int(section, nameof(LlmEndpointOptions.EmbeddingDimension)),
            StructuredMaxOutputTokens = Int(section, nameof(LlmEndpointOptions.StructuredMaxOutputTokens)),
        };
        if (Bool(section, nameof(LlmEndpointOptions.RequestEmbeddingDimension)) is { } request) options.RequestEmbeddingDimension = request;
        if (Duration(section, nameof(LlmEndpointOptions.RequestTimeout)) is { } timeout) options.RequestTimeout = timeout;
        options.TotalRequestTimeout = Duration(section, nameof(LlmEndpointOptions.TotalRequestTimeout));
        if (Int(section, nameof(LlmEndpointOptions.MaxRetries)) is { } retries) options.MaxRetries = retries;
        if (Duration(section, nameof(LlmEndpointOptions.RetryBaseDelay)) is { } delay) options.RetryBaseDelay = delay;
        if (Duration(section, nameof(LlmEndpointOptions.MaxRetryDelay)) is { } maxDelay) options.MaxRetryDelay = maxDelay;
        if (Int(section, nameof(LlmEndpointOptions.MaxConcurrentRequests)) is { } concurrency) options.MaxConcurrentRequests = concurrency;
        if (Text(section, nameof(LlmEndpointOptions.JsonMode)) is { } mode)
        {
            options.JsonMode = Enum.TryParse<JsonOutputMode>(mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw Bad(section, nameof(LlmEndpointOptions.JsonMode), mode, string.Join(", ", Enum.GetNames<JsonOutputMode>()));
        }
        if (Text(section, nameof(LlmEndpointOptions.StructuredTemperature)) is { } temperature)
        {
            options.StructuredTemperature = float.TryParse(temperature, NumberStyles.Float, CultureInfo.InvariantCulture, out var t)
                ? t
                : throw Bad(section, nameof(LlmEndpointOptions.StructuredTemperature), temperature, "a number");
        }
        return options;
    }

    private static string? Text(IConfiguration section, string key) =>
        section[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static int? Int(IConfiguration section, string key) => Text(section, key) is not { } value ? null
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : throw Bad(section, key, value, "an integer");

    private static bool? Bool(IConfiguration section, string key) => Text(section, key) is not { } value ? null
        : bool.TryParse(value, out var parsed) ? parsed
        : throw Bad(section, key, value, "true or false");

    private static TimeSpan? Duration(IConfiguration section, string key)
    {
        if (Text(section, key) is not { } value) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
            return TimeSpan.FromSeconds(seconds);
        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) ? span
            : throw Bad(section, key, value, "a number of seconds or hh:mm:ss");
    }

    private static LlmConfigurationException Bad(IConfiguration section, string key, string value, string expected) =>
        new($"Configuration value '{Path(section, key)}' = '{value}' is not {expected}.");

    private static string Path(IConfiguration section, string key) =>
        section is IConfigurationSection named ? $"{named.Path}:{key}" : key;
}
