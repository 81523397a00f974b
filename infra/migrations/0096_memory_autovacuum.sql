-- Autovacuum keeps up with the pipelines' rewrites (issue 15; see docs/memory-store.md).
--
-- Notes and episodes are rewritten several times soon after they are written (stage marks, A-MEM's
-- evolution of neighbours), most of them not heap-only: each rewrite leaves a dead row version and an
-- entry in every index, and until a vacuum removes them each lookup of a much-rewritten record walks
-- them. In 30 s LoCoMo runs on PostgreSQL the record update ran ~7x slower for the whole run whenever
-- autovacuum had not reached the table yet. The default waits for a fifth of a table to be dead; the
-- records and the job queue (three writes per job) now go at 2% plus 500 rows.
ALTER TABLE memory_records SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 500);
ALTER TABLE memory_jobs SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 500);
