using System.Text.Json;

namespace Agents.Tests.Integration.Llm;

/// <summary>A request the scripted server received: path, headers of interest, body.</summary>
public sealed record RecordedRequest(string Path, string? Authorization, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The chat request's messages as (role, content) pairs.</summary>
    public IReadOnlyList<(string Role, string Content)> Messages =>
        Json.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString()!, m.TryGetProperty("content", out var content) ? ContentOf(content) : string.Empty))
            .ToList();

    private static string ContentOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(part => part.GetProperty("text").GetString())),
        _ => string.Empty, // an assistant message that only calls tools
    };
}
