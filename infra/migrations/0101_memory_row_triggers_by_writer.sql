-- The store's own insert and update statements do the row triggers' work in the statement (issue 15; see
-- docs/memory-store.md, "Writes").
--
-- Profiled during LoCoMo ingest, a quarter of the server's time went to PL/pgSQL triggers: per row,
-- memory_records_text (two tsvectors and their lengths, each length a SQL function planned per call) and
-- memory_records_vector_index (a lookup of the scope's counts), then the statement trigger's recheck
-- of every inserted row (a function call doing that lookup again). The store's statements now compute
-- these columns themselves, planned once with the statement, and the row triggers fire only for rows
-- whose writer left the work to them:
--   * text: an insert that gives no tsvector or length, or an update that changes a text and leaves its
--     tsvector as it was (an update that leaves both texts alone no longer calls the trigger at all);
--   * index membership: a row inserted with vector_indexed NULL, the column's default now (NOT NULL
--     still holds: the trigger sets it). true and false are a writer's decision in its statement's
--     snapshot; the statement trigger still marks rows of a scope that a concurrent writer took over
--     the minimum meanwhile (migration 0102 makes that recheck a join).
ALTER TABLE memory_records ALTER COLUMN vector_indexed DROP DEFAULT;
DROP TRIGGER memory_records_vector_index ON memory_records;
CREATE TRIGGER memory_records_vector_index BEFORE INSERT ON memory_records
    FOR EACH ROW WHEN (NEW.vector_indexed IS NULL) EXECUTE FUNCTION memory_records_vector_index();

DROP TRIGGER memory_records_text ON memory_records;
CREATE TRIGGER memory_records_text_insert BEFORE INSERT ON memory_records
    FOR EACH ROW WHEN (NEW.search IS NULL OR NEW.content_search IS NULL OR NEW.search_length IS NULL OR NEW.content_length IS NULL)
    EXECUTE FUNCTION memory_records_text();
CREATE TRIGGER memory_records_text_update BEFORE UPDATE ON memory_records
    FOR EACH ROW WHEN ((NEW.search_text IS DISTINCT FROM OLD.search_text AND NEW.search IS NOT DISTINCT FROM OLD.search)
                    OR (NEW.content IS DISTINCT FROM OLD.content AND NEW.content_search IS NOT DISTINCT FROM OLD.content_search)
                    OR NEW.search_length IS NULL OR NEW.content_length IS NULL)
    EXECUTE FUNCTION memory_records_text();

-- A row with a 384-d embedding passes the 2 kB TOAST threshold, so every insert and text-changing update
-- tries to compress its largest values: the embedding and the tsvectors, which hardly compress. LZ4
-- gives up on them several times faster than pglz. (Values stored before keep their compression.)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE memory_records
            ALTER COLUMN content SET COMPRESSION lz4,
            ALTER COLUMN embedding SET COMPRESSION lz4,
            ALTER COLUMN search_text SET COMPRESSION lz4,
            ALTER COLUMN search SET COMPRESSION lz4,
            ALTER COLUMN content_search SET COMPRESSION lz4,
            ALTER COLUMN metadata SET COMPRESSION lz4;
    END IF;
END
$$;
