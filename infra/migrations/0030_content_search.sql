-- Full-text search over a record's content alone (TextField.Content): a note's context quotes the
-- turns around it, so the whole-record index ranks a turn for its neighbours' words as well; this one
-- ranks it for its own. Same configuration as memory_records.search.
ALTER TABLE memory_records
    ADD COLUMN content_search tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, content)) STORED;

CREATE INDEX memory_records_content_search ON memory_records USING gin (content_search);
