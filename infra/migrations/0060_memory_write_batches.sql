-- Write batches and cheaper updates (issue 15; see docs/memory-store.md).
--
-- 1. memory_expect: a statement of a write batch that must change a row (an update at the version the
--    caller read, a no-change row for a record that exists, an edge between records of its tenant)
--    ends with memory_expect(<it did>, <why not>). Raising aborts the whole batch, which runs as one
--    implicit transaction, so a batch is all or nothing in one round trip. The store maps the codes:
--    AGW01 an update matched nothing (the store then reads why), AGW02 a record is missing,
--    AGW03 an edge would close before it is valid.
CREATE FUNCTION memory_expect(ok boolean, code text, message text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
    END IF;
    RETURN true;
END
$$;

-- 2. Room for heap-only updates. An update that leaves every indexed column as it was (an episode's
--    progress in its metadata, a job's) can stay on its page without new entries in the HNSW, GIN and
--    B-tree indexes, but only if the page has free space; at the default fill factor of 100 it has
--    none, and every such update paid a full index insertion. Applies to pages written from now on.
ALTER TABLE memory_records SET (fillfactor = 80);
