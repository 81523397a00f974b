-- Small scopes' exact vector search reads indexes only (issue 15; see docs/memory-store.md).
--
-- A scope of up to ExactSearchThreshold (2,000) records is searched exactly: one pass over its rows.
-- Its records arrive interleaved with other scopes', so a user's 1,000 records lie on ~1,000 different
-- heap pages, and that pass cost ~2.2 ms of buffer visits before any distance was taken. These indexes
-- hold, per scope column, what the pass reads (the other scope ids, kind, times, expiry and the
-- embedding), packed four rows to a page in key order: the same pass is an index-only scan over ~250
-- pages (0.8 ms). An insert pays ~9 us per index, next to ~1 ms for its HNSW entry.
--
-- A B-tree row holds at most ~2,700 bytes, so these exist per embedding dimension, like the HNSW index
-- (a float vector of 384 dimensions takes 1,544 bytes). A deployment with another dimension of up to
-- ~600 adds its own four; larger ones keep the heap pass, which stays correct.
CREATE INDEX memory_records_user_vectors_384 ON memory_records (tenant, user_id)
    INCLUDE (agent_id, run_id, team_id, kind, observed_at, expired_at, id, embedding)
    WHERE user_id IS NOT NULL AND embedding_dims = 384;
CREATE INDEX memory_records_agent_vectors_384 ON memory_records (tenant, agent_id)
    INCLUDE (user_id, run_id, team_id, kind, observed_at, expired_at, id, embedding)
    WHERE agent_id IS NOT NULL AND embedding_dims = 384;
CREATE INDEX memory_records_run_vectors_384 ON memory_records (tenant, run_id)
    INCLUDE (user_id, agent_id, team_id, kind, observed_at, expired_at, id, embedding)
    WHERE run_id IS NOT NULL AND embedding_dims = 384;
CREATE INDEX memory_records_team_vectors_384 ON memory_records (tenant, team_id)
    INCLUDE (user_id, agent_id, run_id, kind, observed_at, expired_at, id, embedding)
    WHERE team_id IS NOT NULL AND embedding_dims = 384;

-- Index-only scans skip the heap only on pages the visibility map marks all-visible, which a vacuum
-- does: vacuum after inserts at 2% of the table plus 1,000 rows too (the default waits for a fifth).
ALTER TABLE memory_records SET (autovacuum_vacuum_insert_scale_factor = 0.02);
