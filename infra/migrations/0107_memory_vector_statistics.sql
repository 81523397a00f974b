-- No planner statistics for embeddings (issue 15; see docs/memory-store.md).
--
-- ANALYZE gathered statistics for every column of memory_records, the 1.5 KB embedding included
-- (sorted by pgvector's comparison operator), and for every expression of an index, so each sampled
-- row's embedding was also converted to halfvec for the HNSW index's expression. No plan reads them:
-- a vector is never compared by equality or range, and a vector search's cost comes from the index.
-- Autovacuum analyzes the records after every tenth of the table changes, which while memories
-- stream in is every few seconds, beside the writers: at 100,000 rows one ANALYZE took 860 ms with
-- these statistics and 600 ms without them.
ALTER TABLE memory_records ALTER COLUMN embedding SET STATISTICS 0;
ALTER TABLE memory_edges ALTER COLUMN fact_embedding SET STATISTICS 0;

-- The expression of every HNSW index on the records (one per dimension; the 384-d one ships, others
-- are added per deployment as 0093 describes): those created later need the same statement.
DO $$
DECLARE
    hnsw regclass;
BEGIN
    FOR hnsw IN
        SELECT i.indexrelid::regclass FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
        WHERE i.indrelid = 'memory_records'::regclass AND a.amname = 'hnsw' AND i.indexprs IS NOT NULL
    LOOP
        EXECUTE format('ALTER INDEX %s ALTER COLUMN 1 SET STATISTICS 0', hnsw);
    END LOOP;
END
$$;
