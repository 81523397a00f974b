-- Grain state for Orleans' ADO.NET grain storage (AddAdoNetGrainStorage, invariant "Npgsql").
--
-- The provider names a grain's state by the service (ClusterOptions.ServiceId), the state name and the
-- grain key, split as Orleans splits it:
--   integer key:  n0 = 0, n1 = the key, extension = the key extension or NULL;
--   Guid key:     n0, n1 = the Guid's two halves, extension = the key extension or NULL;
--   string key:   n0 = n1 = 0, extension = the key.
-- It also sends two 32-bit hashes (of the key and of the state name) meant to narrow index look-ups;
-- they are stored and matched like the rest of the name.
--
-- The state name is what the provider calls GrainTypeString: since Orleans 7 it receives the name of
-- the state (the [PersistentState("name")] name, "state" for Grain<T>), not the grain class, and the
-- key carries no grain type either. So two grain classes whose grains share a key must give their
-- states different names, or they read and write one row.
--
-- ETag: the row's version, an integer the provider parses. A write names the version it read (NULL:
-- it read nothing); it succeeds only if the row is still at that version, and answers the new one.
-- Any other answer (the same version, or NULL) makes Orleans throw InconsistentStateException.
--
-- Unlike Orleans' own script, the name is unique, so two activations that both read nothing and
-- both write (during a membership change) cannot both insert: one wins and the other gets the
-- exception, where two rows would have broken every later read of that grain.
CREATE TABLE orleans_grain_state (
    service_id         text        NOT NULL,
    state_name         text        NOT NULL,
    state_name_hash    integer     NOT NULL,
    grain_id_hash      integer     NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_id_extension text        NULL,
    -- The serialized state; NULL once cleared (the row stays, see ClearStorageKey).
    payload            bytea       NULL,
    version            integer     NOT NULL CHECK (version > 0),
    modified_at        timestamptz NOT NULL DEFAULT now(),
    -- Also the look-up index of every statement below (equality on all but the extension, which
    -- is compared NULL-safely). Keys are bounded by the index entry size (about 2.7 kB).
    CONSTRAINT orleans_grain_state_name UNIQUE NULLS NOT DISTINCT
        (service_id, grain_id_hash, state_name_hash, grain_id_n0, grain_id_n1, state_name, grain_id_extension)
);

-- The version after v. Integer ETags wrap from the largest integer to 1 instead of failing the
-- write: a grain writing 100 times a second would pass 2^31 in eight months.
CREATE FUNCTION orleans_grain_state_next_version(v integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN v = 2147483647 THEN 1 ELSE v + 1 END;

INSERT INTO orleansquery (querykey, querytext) VALUES

-- PayloadBinary NULL reads as "no state" (the grain starts from its default); Version is the ETag
-- either way, so a grain whose state was cleared still writes at the right version.
('ReadFromStorageKey', $sql$
SELECT payload     AS "PayloadBinary",
       version     AS "Version",
       modified_at AS "ModifiedOn"
  FROM orleans_grain_state
 WHERE service_id = @ServiceId
   AND grain_id_hash = @GrainIdHash AND state_name_hash = @GrainTypeHash
   AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND state_name = @GrainTypeString
   AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
$sql$),

-- One statement: with an ETag, update the row at that version; without one, insert the first row
-- unless one exists. Answers one row, NewGrainStateVersion: the new version, or NULL when nothing
-- was written (a stale ETag, or a row that another writer inserted first).
('WriteToStorageKey', $sql$
WITH updated AS (
    UPDATE orleans_grain_state
       SET payload = @PayloadBinary,
           version = orleans_grain_state_next_version(version),
           modified_at = now()
     WHERE @GrainStateVersion IS NOT NULL
       AND service_id = @ServiceId
       AND grain_id_hash = @GrainIdHash AND state_name_hash = @GrainTypeHash
       AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
       AND state_name = @GrainTypeString
       AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
       AND version = @GrainStateVersion
    RETURNING version
), inserted AS (
    INSERT INTO orleans_grain_state
        (service_id, state_name, state_name_hash, grain_id_hash, grain_id_n0, grain_id_n1,
         grain_id_extension, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1,
           @GrainIdExtensionString, @PayloadBinary, 1
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT ON CONSTRAINT orleans_grain_state_name DO NOTHING
    RETURNING version
)
SELECT (SELECT version FROM updated UNION ALL SELECT version FROM inserted) AS "NewGrainStateVersion"
$sql$),

-- Clearing keeps the row with no payload and the next version, so an ETag from before the clear never
-- matches again. Answers the new version, or no row on a stale ETag (the provider then throws).
('ClearStorageKey', $sql$
UPDATE orleans_grain_state
   SET payload = NULL,
       version = orleans_grain_state_next_version(version),
       modified_at = now()
 WHERE service_id = @ServiceId
   AND grain_id_hash = @GrainIdHash AND state_name_hash = @GrainTypeHash
   AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND state_name = @GrainTypeString
   AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
   AND version = @GrainStateVersion
RETURNING version AS "NewGrainStateVersion"
$sql$),

-- Used instead when the provider is configured with DeleteStateOnClear: the row goes. The answer
-- only has to differ from the ETag sent; the grain's ETag becomes NULL and its next write inserts a
-- new row at version 1 (so ETags of a deleted row can recur: prefer the default, ClearStorageKey).
('DeleteStorageKey', $sql$
DELETE FROM orleans_grain_state
 WHERE service_id = @ServiceId
   AND grain_id_hash = @GrainIdHash AND state_name_hash = @GrainTypeHash
   AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND state_name = @GrainTypeString
   AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
   AND version = @GrainStateVersion
RETURNING orleans_grain_state_next_version(version) AS "NewGrainStateVersion"
$sql$);
