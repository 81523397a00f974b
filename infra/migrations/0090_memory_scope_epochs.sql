-- Scope epochs (issue 15; see docs/memory-store.md, "Scope cache").
--
-- A silo keeps the scopes its memory grains own in process (records, embeddings, text-search lexemes)
-- and answers their searches and lists there. To serve a read it must know that nothing changed the
-- scope since it last looked, whoever wrote: another silo, a grain of a containing scope, a bulk add.
-- So every change to memory_records moves a counter, in the same transaction, for each id of the
-- changed record's scope: 'user:<id>', 'agent:<id>', 'run:<id>', 'team:<id>'. A record that a
-- scope (as a filter) contains carries every id the scope sets, so any change to it moves the
-- counter of each of them; a reader compares one of them with the epoch its copy stands at.
--
-- One step per transaction (xid names the last transaction that moved it), so a writer that reads the
-- counter back in its own transaction knows whether it alone moved it since the copy's epoch (then it
-- applies its own change to the copy) or someone else did too (then the copy reloads). The row lock
-- orders writers of one key; keys are taken in sorted order within a statement.
CREATE TABLE memory_scope_epochs (
    tenant text   NOT NULL,
    key    text   NOT NULL,
    epoch  bigint NOT NULL,
    xid    xid8   NOT NULL,
    PRIMARY KEY (tenant, key)
);

CREATE FUNCTION memory_records_bump_epochs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO memory_scope_epochs AS e (tenant, key, epoch, xid)
        SELECT DISTINCT c.tenant, v.key, 1::bigint, pg_current_xact_id()
        FROM new_rows c, LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
        WHERE v.key IS NOT NULL ORDER BY 1, 2
        ON CONFLICT (tenant, key) DO UPDATE SET epoch = e.epoch + 1, xid = excluded.xid WHERE e.xid <> excluded.xid;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO memory_scope_epochs AS e (tenant, key, epoch, xid)
        SELECT DISTINCT c.tenant, v.key, 1::bigint, pg_current_xact_id()
        FROM (SELECT tenant, user_id, agent_id, run_id, team_id FROM new_rows
              UNION SELECT tenant, user_id, agent_id, run_id, team_id FROM old_rows) c,
             LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
        WHERE v.key IS NOT NULL ORDER BY 1, 2
        ON CONFLICT (tenant, key) DO UPDATE SET epoch = e.epoch + 1, xid = excluded.xid WHERE e.xid <> excluded.xid;
    ELSE
        INSERT INTO memory_scope_epochs AS e (tenant, key, epoch, xid)
        SELECT DISTINCT c.tenant, v.key, 1::bigint, pg_current_xact_id()
        FROM old_rows c, LATERAL (VALUES ('user:' || c.user_id), ('agent:' || c.agent_id), ('run:' || c.run_id), ('team:' || c.team_id)) AS v(key)
        WHERE v.key IS NOT NULL ORDER BY 1, 2
        ON CONFLICT (tenant, key) DO UPDATE SET epoch = e.epoch + 1, xid = excluded.xid WHERE e.xid <> excluded.xid;
    END IF;
    RETURN NULL;
END
$$;

-- Statement triggers with transition tables: one upsert per statement (a COPY of a thousand rows
-- included), not one per row. A trigger with transition tables serves one event.
CREATE TRIGGER memory_records_epochs_insert AFTER INSERT ON memory_records
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_records_bump_epochs();
CREATE TRIGGER memory_records_epochs_update AFTER UPDATE ON memory_records
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_records_bump_epochs();
CREATE TRIGGER memory_records_epochs_delete AFTER DELETE ON memory_records
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION memory_records_bump_epochs();
