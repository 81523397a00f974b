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
--     the minimum meanwhile, now with a join instead of a function call per row.
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

-- The recheck of inserted rows, as a join.
CREATE OR REPLACE FUNCTION memory_records_bump_epochs() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moved record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(tenant ORDER BY tenant, key) AS tenants, array_agg(key ORDER BY tenant, key) AS keys,
               array_agg(n ORDER BY tenant, key) AS records, array_agg(vectors ORDER BY tenant, key) AS vectors INTO moved
        FROM (SELECT c.tenant, v.key, count(*) AS n, count(c.embedding) AS vectors
              FROM new_rows c, LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
              WHERE v.key IS NOT NULL GROUP BY 1, 2) g;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(tenant ORDER BY tenant, key) AS tenants, array_agg(key ORDER BY tenant, key) AS keys,
               array_agg(n ORDER BY tenant, key) AS records, array_agg(vectors ORDER BY tenant, key) AS vectors INTO moved
        FROM (SELECT c.tenant, v.key, sum(c.n) AS n, sum(c.n * c.has_vector) AS vectors
              FROM (SELECT tenant, user_id, agent_id, run_id, team_id, 1 AS n, (embedding IS NOT NULL)::integer AS has_vector FROM new_rows
                    UNION ALL SELECT tenant, user_id, agent_id, run_id, team_id, -1, (embedding IS NOT NULL)::integer FROM old_rows) c,
                   LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
              WHERE v.key IS NOT NULL GROUP BY 1, 2) g;
    ELSE
        SELECT array_agg(tenant ORDER BY tenant, key) AS tenants, array_agg(key ORDER BY tenant, key) AS keys,
               array_agg(n ORDER BY tenant, key) AS records, array_agg(vectors ORDER BY tenant, key) AS vectors INTO moved
        FROM (SELECT c.tenant, v.key, -count(*) AS n, -count(c.embedding) AS vectors
              FROM old_rows c, LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
              WHERE v.key IS NOT NULL GROUP BY 1, 2) g;
    END IF;
    IF moved.keys IS NOT NULL THEN
        PERFORM memory_scope_keys_move(moved.tenants, moved.keys, moved.records, moved.vectors);
    END IF;
    -- Inserted rows that read their keys as small while a concurrent writer took one over the minimum
    -- (checked first: an UPDATE statement, even of no rows, would fire the update triggers; nested,
    -- as only an insert has new_rows alone).
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM new_rows c, memory_scope_epochs e, memory_vector_index_policy p
                   WHERE NOT c.vector_indexed AND e.tenant = c.tenant AND e.vectors > p.min_records
                     AND e.key IN ('user:' || c.user_id, 'agent:' || c.agent_id, 'run:' || c.run_id, 'team:' || c.team_id)) THEN
            UPDATE memory_records r SET vector_indexed = true
            FROM new_rows c
            WHERE r.id = c.id AND NOT r.vector_indexed
              AND memory_vector_index_wanted(c.tenant, c.user_id, c.agent_id, c.run_id, c.team_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- The upsert of the moved keys touches one small row per key by its primary key: the plan made once is
-- right at any size, and planning it per call cost as much as running it.
ALTER FUNCTION memory_scope_keys_move(text[], text[], bigint[], bigint[]) SET plan_cache_mode = force_generic_plan;

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
