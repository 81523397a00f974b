namespace Agents.Memory.Stores;

/// <summary>What full-text search matches a query against.</summary>
public enum TextField
{
    /// <summary>Everything a record is found by: content, context, keywords and tags (<see cref="Text.MemorySearchText"/>).</summary>
    All,

    /// <summary>The content alone: what was said or stated, without the context borrowed from around it.
    /// A record ranks here for its own words, not for its neighbours'.</summary>
    Content,
}
