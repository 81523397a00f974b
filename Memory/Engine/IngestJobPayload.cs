using System.Text.Json.Serialization;

namespace Agents.Memory.Engine;

/// <summary>The durable description of one add's background work (the job's payload).</summary>
public sealed class IngestJobPayload
{
    public Guid EpisodeId { get; set; }
    public DateTimeOffset ObservedAt { get; set; }
    public List<IngestJobMessage> Messages { get; set; } = [];
    public List<IngestJobMessage> Preceding { get; set; } = [];
    public List<string> Sources { get; set; } = [];
}

public sealed class IngestJobMessage
{
    public Guid NoteId { get; set; }
    public string? Speaker { get; set; }
    public string Content { get; set; } = "";
    public string? SourceId { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IngestJobPayload))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;
