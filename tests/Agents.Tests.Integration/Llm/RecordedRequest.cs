using System.Text.Json;

namespace Agents.Tests.Integration.Llm;

/// <summary>A request the scripted server received: path, headers of interest, body.</summary>
public sealed record RecordedRequest(string Path, string? Authorization, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The chat request's messages as (role, content) pairs.</summary>
    public IReadOnlyList<(string Role, string Content)> Messages =>
        Json.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString()!, ContentOf(m.GetProperty("content"))))
            .ToList();

    private static string ContentOf(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(part => part.GetProperty("text").GetString()));
}
