using Agents.Memory.Model;

namespace Agents.Memory.Pipelines.Notes;

/// <summary>What a note's embedding is computed from: A-MEM embeds content with its context, keywords and tags.</summary>
public static class NoteText
{
    public const string StageKey = "amem.stage";
    public const string Enriched = "enriched";
    public const string Linked = "linked";
    public const string SpeakerKey = "speaker";

    public static string ForEmbedding(string content, string? context, IReadOnlyList<string> keywords, IReadOnlyList<string> tags) =>
        $"{content}\n{context}\nkeywords: {string.Join(", ", keywords)}\ntags: {string.Join(", ", tags)}";

    public static string ForEmbedding(MemoryRecord note) => ForEmbedding(note.Content, note.Context, note.Keywords, note.Tags);

    public static NoteSnapshot Snapshot(MemoryRecord r) =>
        new(r.Id, r.Content, r.Context ?? "", r.Keywords, r.Tags, r.ObservedAt) { Speaker = r.Metadata.GetValueOrDefault(SpeakerKey) };

    public static IReadOnlyDictionary<string, string> With(IReadOnlyDictionary<string, string> metadata, string key, string value)
    {
        var copy = new Dictionary<string, string>(metadata, StringComparer.Ordinal) { [key] = value };
        return copy;
    }
}
