-- Records per scope key (issue 15; see docs/memory-store.md, "Vector search").
--
-- A vector search answers a filter that leaves few rows exactly and a larger one through the HNSW
-- index. It used to find out which by reading the filter's rows (up to the exact-search threshold
-- plus one) before every search, a scan of ~2,000 rows for a filter as wide as an agent's 100,000.
-- Now the epoch row of each scope key (migration 0090) also counts the records that carry it, moved by
-- the same statement trigger in the same transaction; a record a scope filter matches carries every
-- id of that scope, so the smallest count of the filter's keys bounds the rows it can match.
ALTER TABLE memory_scope_epochs ADD COLUMN records bigint NOT NULL DEFAULT 0;

-- The records written before this migration.
INSERT INTO memory_scope_epochs AS e (tenant, key, epoch, xid, records)
SELECT r.tenant, v.key, 1::bigint, pg_current_xact_id(), count(*)
FROM memory_records r, LATERAL (VALUES ('user:' || r.user_id), ('agent:' || r.agent_id), ('run:' || r.run_id), ('team:' || r.team_id)) AS v(key)
WHERE v.key IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT (tenant, key) DO UPDATE SET records = excluded.records;

-- As in 0090, plus the count: the epoch still moves once per transaction (the xid check), while the
-- count moves with every statement that adds or removes records of the key.
CREATE OR REPLACE FUNCTION memory_records_bump_epochs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO memory_scope_epochs AS e (tenant, key, epoch, xid, records)
        SELECT c.tenant, v.key, 1::bigint, pg_current_xact_id(), count(*)
        FROM new_rows c, LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
        WHERE v.key IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (tenant, key) DO UPDATE
            SET epoch = e.epoch + (e.xid <> excluded.xid)::integer, xid = excluded.xid, records = e.records + excluded.records;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO memory_scope_epochs AS e (tenant, key, epoch, xid, records)
        SELECT c.tenant, v.key, 1::bigint, pg_current_xact_id(), sum(c.n)
        FROM (SELECT tenant, user_id, agent_id, run_id, team_id, 1 AS n FROM new_rows
              UNION ALL SELECT tenant, user_id, agent_id, run_id, team_id, -1 AS n FROM old_rows) c,
             LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
        WHERE v.key IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (tenant, key) DO UPDATE
            SET epoch = e.epoch + (e.xid <> excluded.xid)::integer, xid = excluded.xid, records = e.records + excluded.records
            WHERE e.xid <> excluded.xid OR excluded.records <> 0;
    ELSE
        INSERT INTO memory_scope_epochs AS e (tenant, key, epoch, xid, records)
        SELECT c.tenant, v.key, 1::bigint, pg_current_xact_id(), -count(*)
        FROM old_rows c, LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
        WHERE v.key IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (tenant, key) DO UPDATE
            SET epoch = e.epoch + (e.xid <> excluded.xid)::integer, xid = excluded.xid, records = e.records + excluded.records;
    END IF;
    RETURN NULL;
END
$$;
