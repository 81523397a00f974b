-- Brings a database that applied the first released text of migration 0105 to the schema its current text
-- makes (see the note there); on any other database it changes nothing.
--
-- That first text listed a row for re-analysis inside memory_records_text, the trigger that fills in the
-- server's tsvectors; the current text lists it in a trigger of its own and leaves memory_records_text as
-- migration 0091 wrote it. The rows listed are the same either way.
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
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION memory_text_reanalysis_listed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO memory_text_reanalysis (id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER memory_records_text_foreign BEFORE INSERT ON memory_records
    FOR EACH ROW WHEN (NEW.search IS NULL OR NEW.content_search IS NULL OR NEW.search_length IS NULL OR NEW.content_length IS NULL)
    EXECUTE FUNCTION memory_text_reanalysis_listed();
