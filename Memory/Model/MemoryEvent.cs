namespace Agents.Memory.Model;

/// <summary>What a change did to a record (one history row per change).</summary>
public enum MemoryEvent
{
    /// <summary>Created.</summary>
    Add = 0,
    /// <summary>Content replaced by a more informative text (Mem0 UPDATE).</summary>
    Update = 1,
    /// <summary>Removed.</summary>
    Delete = 2,
    /// <summary>Considered and left as it was (Mem0 NONE); recorded for audit.</summary>
    None = 3,
    /// <summary>Closed in world time (invalid at) or retired (expired at) because contradicted.</summary>
    Invalidate = 4,
    /// <summary>Context/tags rewritten by A-MEM evolution; content unchanged.</summary>
    Evolve = 5,
    /// <summary>Enriched (embedding, keywords, context, tags added to a raw record).</summary>
    Enrich = 6,
}
