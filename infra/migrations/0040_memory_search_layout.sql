-- Row layout and scope indexes for the searches a scope runs most (measured with pg_stat_statements
-- during the locomo ingest on PostgreSQL, see docs/benchmarks.md).
--
-- 1. Embeddings stay in the row. A note's row (content, context, search text and two tsvectors) passes
--    the 2 kB TOAST threshold, and the largest column, the embedding, went out of line: an exact search
--    over a small scope then fetched one TOAST chunk per row to compute its distance. MAIN keeps the
--    vector inline and moves the text columns out first (an existing row moves when it is next written).
ALTER TABLE memory_records ALTER COLUMN embedding SET STORAGE MAIN;

-- 2. Scope indexes that also key the kind and the observation time. The pipelines ask for one kind in
--    one scope (the notes to link, the facts to consolidate, an entity by name) and the notes of a
--    time window; with the kind in the key those are range scans instead of a walk over every record
--    of the scope. They lead with the same columns as the indexes they replace, so whole-scope
--    filters use them as before.
CREATE INDEX memory_records_user_kind  ON memory_records (tenant, user_id, kind, observed_at)  WHERE user_id  IS NOT NULL;
CREATE INDEX memory_records_agent_kind ON memory_records (tenant, agent_id, kind, observed_at) WHERE agent_id IS NOT NULL;
CREATE INDEX memory_records_run_kind   ON memory_records (tenant, run_id, kind, observed_at)   WHERE run_id   IS NOT NULL;
CREATE INDEX memory_records_team_kind  ON memory_records (tenant, team_id, kind, observed_at)  WHERE team_id  IS NOT NULL;
DROP INDEX memory_records_user;
DROP INDEX memory_records_agent;
DROP INDEX memory_records_run;
DROP INDEX memory_records_team;
