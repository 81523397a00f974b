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
CREATE TABLE memory_text_reanalysis (id uuid PRIMARY KEY);
INSERT INTO memory_text_reanalysis (id) SELECT id FROM memory_records;

CREATE OR REPLACE FUNCTION memory_records_text() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.search_text IS DISTINCT FROM OLD.search_text THEN
        NEW.search := to_tsvector('english'::regconfig, NEW.search_text);
        NEW.search_length := memory_text_length(NEW.search);
    ELSE
        NEW.search := OLD.search;
        NEW.search_length := OLD.search_length;
    END IF;
    IF TG_OP = 'INSERT' OR NEW.content IS DISTINCT FROM OLD.content THEN
        NEW.content_search := to_tsvector('english'::regconfig, NEW.content);
        NEW.content_length := memory_text_length(NEW.content_search);
    ELSE
        NEW.content_search := OLD.content_search;
        NEW.content_length := OLD.content_length;
    END IF;
    INSERT INTO memory_text_reanalysis (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NEW;
END
$$;

DROP TRIGGER memory_records_text_update ON memory_records;
