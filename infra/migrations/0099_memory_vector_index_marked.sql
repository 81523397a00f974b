-- A writer that knows a record belongs in the HNSW index says so, and the row trigger is skipped
-- (issue 15; see docs/memory-store.md, "Vector search").
--
-- Migration 0094's row trigger asks, for every inserted row, whether one of its scope keys is above the
-- index's minimum: a PL/pgSQL call and a lookup per row, 10-15% of a bulk insert's time. A bulk writer
-- asks once per scope instead and marks the rows of scopes already above it (`vector_indexed` true).
-- That is always safe: the rule searches rely on is that a large scope's records are all in the index,
-- and an extra member is only a cost. Rows not marked (false, now the default) are decided by the
-- trigger as before, so a scope that grows meanwhile is still caught, by the trigger or by the
-- statement trigger's check of the rows that read it as small.
ALTER TABLE memory_records ALTER COLUMN vector_indexed SET DEFAULT false;
DROP TRIGGER memory_records_vector_index ON memory_records;
CREATE TRIGGER memory_records_vector_index BEFORE INSERT ON memory_records
    FOR EACH ROW WHEN (NOT NEW.vector_indexed) EXECUTE FUNCTION memory_records_vector_index();
