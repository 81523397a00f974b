-- The records' index on (tenant, kind, observed_at) retired (issue 15; see docs/memory-store.md).
--
-- Every query of the store names a scope key (a scope always has one: MemoryScope refuses a bare tenant),
-- and the four scope indexes of 0040/0104, (tenant, key, kind, observed_at), serve each of them with a
-- longer prefix; this one was read by no plan (no scan in the store and LoCoMo benchmarks, or the
-- tests' explains). It still cost every insert, and every update that was not heap-only, an entry.
DROP INDEX IF EXISTS memory_records_kind_observed;
