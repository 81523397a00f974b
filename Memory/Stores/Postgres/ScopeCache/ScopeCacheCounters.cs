namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>What the scope cache of one store did since it started (for tests and diagnostics): reads
/// of held scopes answered in process, reads of held scopes that SQL answered (a copy too large, behind
/// this process's writes in flight, or a ranking it leaves to SQL), loads of copies, and round trips that
/// checked a copy's epoch (reads that share a check send one; a scope's job claim checks in its own round
/// trip, not counted here).</summary>
public readonly record struct ScopeCacheCounters(long Served, long ReadInSql, long Loads, long Checks);
