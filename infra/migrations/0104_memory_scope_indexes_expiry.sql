-- Counting a scope's live records reads its scope index only (issue 15; see docs/memory-store.md,
-- "Scope indexes").
--
-- The default filter skips expired records (expired_at IS NULL), and expired_at was not in the scope
-- indexes: every count, and every full-text search's count of the filter's rows (which picks how it
-- ranks), fetched each row from the heap to read it. A full-text search over a whole agent of 100,000
-- memories spent 20-30 ms of its ~40 counting up to the 20,001 rows that decide it, and one user's 1,000
-- records cost 8 ms of heap fetches. With expired_at carried in the index (INCLUDE), the same counts
-- are index-only scans wherever the visibility map marks the pages all-visible (autovacuum keeps it).
-- A null expired_at (a live record) costs the entry a null bit. Retiring a fact sets expired_at, which
-- the covering vector indexes (migration 0097) already carry, so its update was not heap-only before
-- either.
CREATE INDEX memory_records_user_kind_live  ON memory_records (tenant, user_id, kind, observed_at)  INCLUDE (expired_at) WHERE user_id  IS NOT NULL;
CREATE INDEX memory_records_agent_kind_live ON memory_records (tenant, agent_id, kind, observed_at) INCLUDE (expired_at) WHERE agent_id IS NOT NULL;
CREATE INDEX memory_records_run_kind_live   ON memory_records (tenant, run_id, kind, observed_at)   INCLUDE (expired_at) WHERE run_id   IS NOT NULL;
CREATE INDEX memory_records_team_kind_live  ON memory_records (tenant, team_id, kind, observed_at)  INCLUDE (expired_at) WHERE team_id  IS NOT NULL;
DROP INDEX memory_records_user_kind;
DROP INDEX memory_records_agent_kind;
DROP INDEX memory_records_run_kind;
DROP INDEX memory_records_team_kind;
ALTER INDEX memory_records_user_kind_live  RENAME TO memory_records_user_kind;
ALTER INDEX memory_records_agent_kind_live RENAME TO memory_records_agent_kind;
ALTER INDEX memory_records_run_kind_live   RENAME TO memory_records_run_kind;
ALTER INDEX memory_records_team_kind_live  RENAME TO memory_records_team_kind;
