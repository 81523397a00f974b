namespace Agents.Memory.Stores.Embedded;

/// <summary>Options of the in-process store (bind from "Memory:Embedded").</summary>
public sealed class EmbeddedMemoryStoreOptions
{
    /// <summary>
    /// Where to keep the data across restarts; null keeps it in memory only. The store writes
    /// <c>{path}</c> (a snapshot, replaced by write-to-temp + atomic rename) and <c>{path}.journal</c>
    /// (every change appended before the call returns); at start it loads the snapshot and replays
    /// the journal, so nothing acknowledged is lost.
    /// </summary>
    public string? SnapshotPath { get; set; }

    /// <summary>Flush each journal append to the disk (fsync) before returning; off trades
    /// durability against power loss (not against a process crash) for speed.</summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>Rewrite the snapshot and empty the journal after this many journal entries.</summary>
    public int CompactAfterEntries { get; set; } = 10_000;

    /// <summary>Full-text search over a filter of at most this many records ranks its matches by BM25 with
    /// the filter's own statistics (its record count, its matches' document frequencies and average length);
    /// above it, with the whole store's. The PostgreSQL store's option of the same name has the same default,
    /// and with equal limits both stores rank alike.</summary>
    public int Bm25MaxRecords { get; set; } = 20_000;
}
