-- Reminders for Orleans' ADO.NET reminder table (UseAdoNetReminderService, invariant "Npgsql").
--
-- A reminder is named by the service (ClusterOptions.ServiceId), the grain (GrainId in its text form)
-- and its name. grain_hash is the grain's uniform hash on Orleans' consistent-hash ring, stored as a
-- signed integer (the provider casts the unsigned hash): each silo owns a range of the ring and loads
-- the reminders whose hash falls in it (ReadRangeRows1Key/ReadRangeRows2Key). ETag: version, bumped
-- by every upsert; a delete names the version it read.
CREATE TABLE orleans_reminder (
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    -- When the reminder first fires; later ticks are start_time + n * period.
    start_time    timestamptz NOT NULL,
    period_ms     bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);
-- A silo's range read, at start-up and after every membership change.
CREATE INDEX orleans_reminder_ring ON orleans_reminder (service_id, grain_hash);

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Answers the reminder's new ETag in a column named Version.
('UpsertReminderRowKey', $sql$
INSERT INTO orleans_reminder AS r
    (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
VALUES
    (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
   SET start_time = excluded.start_time,
       period_ms = excluded.period_ms,
       grain_hash = excluded.grain_hash,
       version = r.version + 1
RETURNING r.version AS "Version"
$sql$),

-- The reads answer GrainId, ReminderName, StartTime, Period (milliseconds) and Version.
('ReadReminderRowKey', $sql$
SELECT grain_id      AS "GrainId",
       reminder_name AS "ReminderName",
       start_time    AS "StartTime",
       period_ms     AS "Period",
       version       AS "Version"
  FROM orleans_reminder
 WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$sql$),

('ReadReminderRowsKey', $sql$
SELECT grain_id      AS "GrainId",
       reminder_name AS "ReminderName",
       start_time    AS "StartTime",
       period_ms     AS "Period",
       version       AS "Version"
  FROM orleans_reminder
 WHERE service_id = @ServiceId AND grain_id = @GrainId
$sql$),

-- A ring range (BeginHash, EndHash], both as signed integers. The provider picks this form when
-- BeginHash < EndHash in signed order...
('ReadRangeRows1Key', $sql$
SELECT grain_id      AS "GrainId",
       reminder_name AS "ReminderName",
       start_time    AS "StartTime",
       period_ms     AS "Period",
       version       AS "Version"
  FROM orleans_reminder
 WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$sql$),

-- ...and this one otherwise: the range wraps past the end of the ring (or, with BeginHash =
-- EndHash, is the whole ring).
('ReadRangeRows2Key', $sql$
SELECT grain_id      AS "GrainId",
       reminder_name AS "ReminderName",
       start_time    AS "StartTime",
       period_ms     AS "Period",
       version       AS "Version"
  FROM orleans_reminder
 WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$sql$),

-- Deletes the reminder only at the version read; answers one boolean column, true when it did.
('DeleteReminderRowKey', $sql$
WITH deleted AS (
    DELETE FROM orleans_reminder
     WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
       AND version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM deleted) AS "Deleted"
$sql$),

-- Every reminder of the service (tests and tooling).
('DeleteReminderRowsKey', $sql$
DELETE FROM orleans_reminder WHERE service_id = @ServiceId
$sql$);
