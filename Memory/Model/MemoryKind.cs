namespace Agents.Memory.Model;

/// <summary>
/// What a record is. Open: a kind is a short lowercase name, so G-Memory's tiers or any later style add
/// kinds without a schema change; the well-known ones are the static members.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(MemoryKindJsonConverter))]
public readonly record struct MemoryKind
{
    public const int MaxLength = 64;

    public MemoryKind(string value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
            throw new ArgumentException($"A memory kind is 1 to {MaxLength} characters; got '{value}'.", nameof(value));
        foreach (var c in value)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.'))
                throw new ArgumentException($"Memory kind '{value}' may only hold a-z, 0-9, '_', '-' and '.'.", nameof(value));
        }
        Value = value;
    }

    public string Value => field ?? "note";

    /// <summary>An A-MEM note (content + keywords, context, tags, links).</summary>
    public static MemoryKind Note { get; } = new("note");
    /// <summary>A Mem0 fact, consolidated with history.</summary>
    public static MemoryKind Fact { get; } = new("fact");
    /// <summary>A knowledge-graph entity; relations between entities are edges.</summary>
    public static MemoryKind Entity { get; } = new("entity");
    /// <summary>Raw input: one message or conversation turn, stored before any model sees it.</summary>
    public static MemoryKind Message { get; } = new("message");
    /// <summary>Raw input: a batch of messages or a document observed together.</summary>
    public static MemoryKind Episode { get; } = new("episode");
    /// <summary>A G-Memory insight (a rule with a score).</summary>
    public static MemoryKind Insight { get; } = new("insight");
    /// <summary>A G-Memory query node (one finished task).</summary>
    public static MemoryKind Query { get; } = new("query");
    /// <summary>A G-Memory condensed trajectory of a task.</summary>
    public static MemoryKind Trajectory { get; } = new("trajectory");
    /// <summary>A summary of other records.</summary>
    public static MemoryKind Summary { get; } = new("summary");

    public override string ToString() => Value;
}
