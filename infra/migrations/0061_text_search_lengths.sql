-- Full-text ranking without reading every matched document whole (issue 15; see docs/memory-store.md).
--
-- BM25 needs each matched document's length (its number of indexed words) and the frequency of the
-- query's words in it. Both used to be computed per search by unnesting every matched tsvector: a
-- note's ~60 lexemes, for every note that shares a speaker's name with the question. Now:
-- 1. The lengths are computed once, when a row is written (generated columns).
-- 2. A search keeps only the query's lexemes of a document before unnesting it (setweight + ts_filter,
--    both C functions), so it unnests two or three lexemes per document instead of sixty.
-- 3. The tsvectors stay in the row (STORAGE MAIN, as the embedding since 0040): matching and ranking
--    read them for every candidate, and out of line each read was a TOAST index lookup and fetch.
--    Rows already written move when next written (or by VACUUM FULL).
CREATE FUNCTION memory_text_length(document tsvector) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT coalesce(sum(coalesce(array_length(p.positions, 1), 1)), 0)::integer FROM unnest(document) AS p $$;

ALTER TABLE memory_records
    ADD COLUMN search_length  integer GENERATED ALWAYS AS (memory_text_length(to_tsvector('english'::regconfig, search_text))) STORED,
    ADD COLUMN content_length integer GENERATED ALWAYS AS (memory_text_length(to_tsvector('english'::regconfig, content))) STORED,
    ALTER COLUMN search SET STORAGE MAIN,
    ALTER COLUMN content_search SET STORAGE MAIN;
