namespace Agents.Memory.Stores.Postgres.ScopeCache;

/// <summary>What the scope cache of one store did since it started (for tests and diagnostics): reads
/// of held scopes answered in process, reads of held scopes that SQL answered (a copy too large, behind
/// this process's writes in flight, or a ranking it leaves to SQL), and loads of copies.</summary>
public readonly record struct ScopeCacheCounters(long Served, long ReadInSql, long Loads);
