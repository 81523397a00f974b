-- The store analyses a record's texts itself and writes their tsvectors (issue 15; see docs/memory-store.md,
-- "One text analysis").
--
-- Both stores rank full text by BM25 over the same analysis (Agents.Memory.Stores.Text.TextAnalyzer: a split
-- on anything but letters and digits, PostgreSQL's English stop words, Porter stems), so their rankings are
-- the same query by query, not only on average. to_tsvector('english') parsed and stemmed differently, and
-- it ran on the server in every write that changed a text.
--
-- Rows stored before this migration hold the server's analysis: their ids go on a work list, which the
-- silo's start-up re-analyses (PostgresTextReanalysis) before anything reads them. The insert trigger stays
-- for a writer that leaves the tsvectors out: such a row gets the server's analysis for now and joins the
-- list. The update trigger goes: the store gives its tsvectors with every update, and a text changed without
-- an analysis that differs (only punctuation, say) must keep the store's, not take the server's.
--
-- This text was amended after release (the row listing moved to a trigger of its own); a database that
-- applied an earlier text counts as having applied this one, and migration 0106 brings it up to date:
-- replaces checksum a70ba46f08b57b3a86c4d62d990214b18ac4523da6afc3d6c05daf430aae0020
-- replaces checksum 551968bce863979e370d4b3c45a26edd26c6fa569ed5d32ee1d50379b5664c5a
CREATE TABLE memory_text_reanalysis (id uuid PRIMARY KEY);
INSERT INTO memory_text_reanalysis (id) SELECT id FROM memory_records;

-- A row inserted without its tsvectors joins the list. BEFORE triggers fire in name order, and each one's
-- WHEN is read just before it runs, so this one ("foreign") runs before memory_records_text_insert fills
-- the columns in.
CREATE FUNCTION memory_text_reanalysis_listed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO memory_text_reanalysis (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NEW;
END
$$;

CREATE TRIGGER memory_records_text_foreign BEFORE INSERT ON memory_records
    FOR EACH ROW WHEN (NEW.search IS NULL OR NEW.content_search IS NULL OR NEW.search_length IS NULL OR NEW.content_length IS NULL)
    EXECUTE FUNCTION memory_text_reanalysis_listed();

DROP TRIGGER memory_records_text_update ON memory_records;
