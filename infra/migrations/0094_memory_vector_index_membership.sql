-- Only the records of large scopes in the HNSW index (issue 15; see docs/memory-store.md, "Vector search").
--
-- A vector search over a scope of at most the exact-search threshold's records scans them exactly and
-- never consults the HNSW index, yet every write of such a record paid for an index insertion: the
-- most expensive part of a write (about 900 buffer visits at 100,000 rows). Most scopes are small (a
-- user's memories, a conversation, a run), and the pipelines rewrite their records as notes evolve.
-- Now a record is in the index only if one of its scope keys holds more than `min_records` records
-- with an embedding (`vectors`, kept beside the record counts of migration 0092: a raw turn has none,
-- and an exact pass scores only those that have one): the partial index's predicate is `vector_indexed`.
--
-- The rule a search relies on: when every key of its scope filter holds more than `min_records` such
-- records (it then takes the index), every record that filter matches is in the index, since it carries
-- those keys. So:
--   * an inserted record joins the index if any of its keys is already above the minimum (read by a
--     row trigger before the insert);
--   * the statement that takes a key above the minimum (an insert, or an update that gives records an
--     embedding) adds every record of that key, once;
--   * a statement whose rows read a key as small while a concurrent writer took it over the minimum
--     adds its own rows (the count's row lock orders the writers, so the last to move it sees the total).
-- Records stay in the index when their key shrinks again; the index may hold more, never less.
-- Searches take the exact path up to the larger of their own threshold and `min_records`.
CREATE TABLE memory_vector_index_policy (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    min_records bigint  NOT NULL CHECK (min_records >= 0)
);
INSERT INTO memory_vector_index_policy (min_records) VALUES (2000);

ALTER TABLE memory_scope_epochs ADD COLUMN vectors bigint NOT NULL DEFAULT 0;
UPDATE memory_scope_epochs e SET vectors = c.n
FROM (SELECT r.tenant, v.key, count(*) AS n
      FROM memory_records r, LATERAL (VALUES ('user:' || r.user_id), ('agent:' || r.agent_id), ('run:' || r.run_id), ('team:' || r.team_id)) AS v(key)
      WHERE v.key IS NOT NULL AND r.embedding IS NOT NULL GROUP BY 1, 2) c
WHERE e.tenant = c.tenant AND e.key = c.key;

-- Records written before this migration stay in the index (the default), so nothing is rebuilt twice.
ALTER TABLE memory_records ADD COLUMN vector_indexed boolean NOT NULL DEFAULT true;

-- Whether a record of (tenant, user, agent, run, team) belongs in the index now.
-- (PL/pgSQL, so the lookup's plan is kept for the session: the row trigger asks once per row.)
CREATE FUNCTION memory_vector_index_wanted(p_tenant text, p_user text, p_agent text, p_run text, p_team text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM memory_scope_epochs e, memory_vector_index_policy p
        WHERE e.tenant = p_tenant AND e.vectors > p.min_records
          AND e.key IN ('user:' || p_user, 'agent:' || p_agent, 'run:' || p_run, 'team:' || p_team));
END
$$;

CREATE FUNCTION memory_records_vector_index() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.vector_indexed := memory_vector_index_wanted(NEW.tenant, NEW.user_id, NEW.agent_id, NEW.run_id, NEW.team_id);
    RETURN NEW;
END
$$;

CREATE TRIGGER memory_records_vector_index BEFORE INSERT ON memory_records
    FOR EACH ROW EXECUTE FUNCTION memory_records_vector_index();

-- Adds every record of one scope key to the index.
CREATE FUNCTION memory_vector_index_add_key(p_tenant text, p_key text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    key_id text := substr(p_key, strpos(p_key, ':') + 1);
BEGIN
    CASE split_part(p_key, ':', 1)
        WHEN 'user'  THEN UPDATE memory_records SET vector_indexed = true WHERE tenant = p_tenant AND user_id  = key_id AND NOT vector_indexed;
        WHEN 'agent' THEN UPDATE memory_records SET vector_indexed = true WHERE tenant = p_tenant AND agent_id = key_id AND NOT vector_indexed;
        WHEN 'run'   THEN UPDATE memory_records SET vector_indexed = true WHERE tenant = p_tenant AND run_id   = key_id AND NOT vector_indexed;
        WHEN 'team'  THEN UPDATE memory_records SET vector_indexed = true WHERE tenant = p_tenant AND team_id  = key_id AND NOT vector_indexed;
    END CASE;
END
$$;

-- Moves the epochs and counts of scope keys by one statement's changes (per key, in key order: the row
-- locks order concurrent writers): the epoch one step per transaction, the counts by the deltas. A key
-- whose count of records with an embedding passes the minimum here has all its records indexed.
CREATE FUNCTION memory_scope_keys_move(p_tenants text[], p_keys text[], p_records bigint[], p_vectors bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    crossed record;
BEGIN
    FOR crossed IN
        WITH delta AS (SELECT * FROM unnest(p_tenants, p_keys, p_records, p_vectors) AS d(tenant, key, records, vectors)),
        moved AS (
            INSERT INTO memory_scope_epochs AS e (tenant, key, epoch, xid, records, vectors)
            SELECT tenant, key, 1::bigint, pg_current_xact_id(), records, vectors FROM delta ORDER BY 1, 2
            ON CONFLICT (tenant, key) DO UPDATE
                SET epoch = e.epoch + (e.xid <> excluded.xid)::integer, xid = excluded.xid,
                    records = e.records + excluded.records, vectors = e.vectors + excluded.vectors
                WHERE e.xid <> excluded.xid OR excluded.records <> 0 OR excluded.vectors <> 0
            RETURNING e.tenant, e.key, e.vectors)
        SELECT m.tenant, m.key FROM moved m JOIN delta d USING (tenant, key), memory_vector_index_policy p
        WHERE d.vectors > 0 AND m.vectors > p.min_records AND m.vectors - d.vectors <= p.min_records
    LOOP
        PERFORM memory_vector_index_add_key(crossed.tenant, crossed.key);
    END LOOP;
END
$$;

-- As in 0092, plus the counts of records with an embedding, and the index's membership rule. Each
-- event sums its own transition tables by key (+1 per new row version, -1 per old one).
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
        IF EXISTS (SELECT 1 FROM new_rows c
                   WHERE NOT c.vector_indexed AND memory_vector_index_wanted(c.tenant, c.user_id, c.agent_id, c.run_id, c.team_id)) THEN
            UPDATE memory_records r SET vector_indexed = true
            FROM new_rows c
            WHERE r.id = c.id AND NOT r.vector_indexed
              AND memory_vector_index_wanted(c.tenant, c.user_id, c.agent_id, c.run_id, c.team_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- Changes the minimum. Writers wait while it runs (the table lock), so none can miss the new value;
-- every key above it then has all its records in the index.
CREATE FUNCTION memory_vector_index_set_min_records(p_min bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE memory_records IN SHARE ROW EXCLUSIVE MODE;
    UPDATE memory_vector_index_policy SET min_records = p_min;
    UPDATE memory_records r SET vector_indexed = true
    WHERE NOT r.vector_indexed AND memory_vector_index_wanted(r.tenant, r.user_id, r.agent_id, r.run_id, r.team_id);
END
$$;

DROP INDEX memory_records_embedding_384;
CREATE INDEX memory_records_embedding_384 ON memory_records
    USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) WHERE embedding_dims = 384 AND vector_indexed;
