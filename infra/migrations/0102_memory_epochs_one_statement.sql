-- The statement trigger moves the scope keys in one statement (issue 15; see docs/memory-store.md, "Writes").
--
-- It summed its transition tables into arrays, then called memory_scope_keys_move, which unnested them
-- into the upsert: two PL/pgSQL calls per statement, and the upsert, having the arrays as parameters,
-- planned again at every call. The sums now feed the upsert directly, in one query without parameters
-- whose plan the trigger keeps. Same keys, same order (the row locks order concurrent writers), same
-- counts, and a key that passes the index's minimum still has all its records indexed. The recheck of
-- inserted rows that read their keys as small (migration 0094) is a join instead of a function call per
-- row. The three events differ only in how they sum their transition tables (an INSERT trigger has no
-- old_rows to name), hence three copies of the upsert.
CREATE OR REPLACE FUNCTION memory_records_bump_epochs() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    crossed record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR crossed IN
            WITH delta AS (
                SELECT c.tenant, v.key, count(*) AS records, count(c.embedding) AS vectors
                FROM new_rows c, LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
                WHERE v.key IS NOT NULL GROUP BY 1, 2),
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
        -- Inserted rows that read their keys as small while a concurrent writer took one over the minimum
        -- (checked first: an UPDATE statement, even of no rows, would fire the update triggers).
        IF EXISTS (SELECT 1 FROM new_rows c, memory_scope_epochs e, memory_vector_index_policy p
                   WHERE NOT c.vector_indexed AND e.tenant = c.tenant AND e.vectors > p.min_records
                     AND e.key IN ('user:' || c.user_id, 'agent:' || c.agent_id, 'run:' || c.run_id, 'team:' || c.team_id)) THEN
            UPDATE memory_records r SET vector_indexed = true
            FROM new_rows c
            WHERE r.id = c.id AND NOT r.vector_indexed
              AND memory_vector_index_wanted(c.tenant, c.user_id, c.agent_id, c.run_id, c.team_id);
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        FOR crossed IN
            WITH delta AS (
                SELECT c.tenant, v.key, sum(c.n) AS records, sum(c.n * c.has_vector) AS vectors
                FROM (SELECT tenant, user_id, agent_id, run_id, team_id, 1 AS n, (embedding IS NOT NULL)::integer AS has_vector FROM new_rows
                      UNION ALL SELECT tenant, user_id, agent_id, run_id, team_id, -1, (embedding IS NOT NULL)::integer FROM old_rows) c,
                     LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
                WHERE v.key IS NOT NULL GROUP BY 1, 2),
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
    ELSE
        WITH delta AS (
            SELECT c.tenant, v.key, -count(*) AS records, -count(c.embedding) AS vectors
            FROM old_rows c, LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
            WHERE v.key IS NOT NULL GROUP BY 1, 2)
        INSERT INTO memory_scope_epochs AS e (tenant, key, epoch, xid, records, vectors)
        SELECT tenant, key, 1::bigint, pg_current_xact_id(), records, vectors FROM delta ORDER BY 1, 2
        ON CONFLICT (tenant, key) DO UPDATE
            SET epoch = e.epoch + (e.xid <> excluded.xid)::integer, xid = excluded.xid,
                records = e.records + excluded.records, vectors = e.vectors + excluded.vectors
            WHERE e.xid <> excluded.xid OR excluded.records <> 0 OR excluded.vectors <> 0;
    END IF;
    RETURN NULL;
END
$$;

DROP FUNCTION memory_scope_keys_move(text[], text[], bigint[], bigint[]);
