-- Room for heap-only updates in memory_records (issue 15; see docs/memory-store.md).
--
-- The pipelines update most records soon after writing them, and many of those updates leave every
-- indexed column alone (an episode's stage marks, a note's progress): PostgreSQL can then write the new
-- version on the same page without touching the table's nine indexes (a HOT update), but only if the
-- page has room. Packed full, as inserts leave it, it has none. Pages written from now on keep 15% free.
ALTER TABLE memory_records SET (fillfactor = 85);
