-- Text-search columns computed once, and only when their text changes (issue 15; docs/memory-store.md).
--
-- As generated columns, search, content_search and their lengths were recomputed by every UPDATE that
-- names search_text or content, and the store's update names every column: an episode's progress mark
-- (its metadata only) parsed its transcript four times, and a neighbour's new context re-parsed its
-- unchanged content. Each length column also parsed its text a second time. Now a trigger parses each
-- text once, when it is new or changed, and takes the length from the tsvector it just built; an
-- update that leaves both texts alone keeps the stored values (and so can stay heap-only).
ALTER TABLE memory_records
    ALTER COLUMN search DROP EXPRESSION,
    ALTER COLUMN content_search DROP EXPRESSION,
    ALTER COLUMN search_length DROP EXPRESSION,
    ALTER COLUMN content_length DROP EXPRESSION;

CREATE FUNCTION memory_records_text() RETURNS trigger
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

CREATE TRIGGER memory_records_text BEFORE INSERT OR UPDATE ON memory_records
    FOR EACH ROW EXECUTE FUNCTION memory_records_text();
