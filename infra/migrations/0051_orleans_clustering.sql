-- Cluster membership for Orleans' ADO.NET clustering provider (UseAdoNetClustering on silos and
-- clients, invariant "Npgsql"). Orleans calls a cluster a "deployment": @DeploymentId is
-- ClusterOptions.ClusterId.
--
-- The protocol: every change of the membership table (a silo joins, changes status, records a
-- suspicion vote) is a compare-and-swap on the cluster's version row, made in the same transaction as
-- the silo row's change. A silo reads the version together with the rows (one statement, one
-- snapshot), decides, and writes back naming the version it read; if anyone changed the table in
-- between, the write does nothing and answers false, and Orleans reads again and retries. So all silos
-- see one total order of membership views. The I-am-alive heartbeat is the one write outside it: it
-- touches no version, so heartbeats never contend with membership changes.

-- One row per cluster, created by the first silo that starts (InsertMembershipVersionKey).
CREATE TABLE orleans_membership_version (
    cluster_id text        PRIMARY KEY,
    version    integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation: address:port plus the generation (its start time), so a restarted
-- silo is a new row and the old one stays Dead until cleaned up.
CREATE TABLE orleans_membership_silo (
    cluster_id      text        NOT NULL REFERENCES orleans_membership_version (cluster_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL CHECK (port BETWEEN 0 AND 65535),
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    -- Orleans' SiloStatus: 1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead. Not
    -- constrained here, so that a newer Orleans with another status still works.
    status          integer     NOT NULL,
    -- The client gateway port (0: the silo takes no clients).
    proxy_port      integer     NOT NULL DEFAULT 0 CHECK (proxy_port BETWEEN 0 AND 65535),
    -- Suspicion votes in Orleans' own text form, "silo,time|silo,time": the provider writes and
    -- parses that string itself. NULL when there are none.
    suspect_times   text        NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- Adds a silo row if the table is still at the version the caller read, and bumps that version.
-- Answers false, changing nothing, when the version moved or this incarnation is already there.
CREATE FUNCTION orleans_membership_insert_silo(
    p_cluster_id      text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_silo_name       text,
    p_host_name       text,
    p_status          integer,
    p_proxy_port      integer,
    p_start_time      timestamptz,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
    -- Lock the version row only at the version read. Under READ COMMITTED a concurrent change makes
    -- this wait and then re-check the condition against the committed row, so a stale writer finds
    -- nothing, and two writers at one version are serialised with one winner.
    PERFORM 1 FROM orleans_membership_version
     WHERE cluster_id = p_cluster_id AND version = p_version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership_silo
        (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port,
         start_time, i_am_alive_time)
    VALUES
        (p_cluster_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
         p_start_time, p_i_am_alive_time)
    ON CONFLICT (cluster_id, address, port, generation) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
       SET version = version + 1, changed_at = now()
     WHERE cluster_id = p_cluster_id;
    RETURN true;
END
$fn$;

-- Changes a silo row's status, suspicion votes and I-am-alive time if the table is still at the
-- version the caller read, and bumps that version. False, changing nothing, otherwise.
CREATE FUNCTION orleans_membership_update_silo(
    p_cluster_id      text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_status          integer,
    p_suspect_times   text,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM 1 FROM orleans_membership_version
     WHERE cluster_id = p_cluster_id AND version = p_version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_silo
       SET status = p_status,
           suspect_times = nullif(p_suspect_times, ''),
           i_am_alive_time = p_i_am_alive_time
     WHERE cluster_id = p_cluster_id AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
       SET version = version + 1, changed_at = now()
     WHERE cluster_id = p_cluster_id;
    RETURN true;
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Called by every silo at start-up. Answers whether this call created the row (one boolean column);
-- a second silo finds it there and answers false.
('InsertMembershipVersionKey', $sql$
WITH created AS (
    INSERT INTO orleans_membership_version (cluster_id)
    VALUES (@DeploymentId)
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created) AS "Created"
$sql$),

-- Orleans' column names are the aliases. The provider reads Version from every row and takes the rest
-- as a silo when StartTime is not NULL, so the version row comes back (with NULL silo columns) even
-- when no silo row matches.
('MembershipReadRowKey', $sql$
SELECT v.version         AS "Version",
       s.address         AS "Address",
       s.port            AS "Port",
       s.generation      AS "Generation",
       s.silo_name       AS "SiloName",
       s.host_name       AS "HostName",
       s.status          AS "Status",
       s.proxy_port      AS "ProxyPort",
       s.suspect_times   AS "SuspectTimes",
       s.start_time      AS "StartTime",
       s.i_am_alive_time AS "IAmAliveTime"
  FROM orleans_membership_version v
  LEFT JOIN orleans_membership_silo s
         ON s.cluster_id = v.cluster_id
        AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
 WHERE v.cluster_id = @DeploymentId
$sql$),

('MembershipReadAllKey', $sql$
SELECT v.version         AS "Version",
       s.address         AS "Address",
       s.port            AS "Port",
       s.generation      AS "Generation",
       s.silo_name       AS "SiloName",
       s.host_name       AS "HostName",
       s.status          AS "Status",
       s.proxy_port      AS "ProxyPort",
       s.suspect_times   AS "SuspectTimes",
       s.start_time      AS "StartTime",
       s.i_am_alive_time AS "IAmAliveTime"
  FROM orleans_membership_version v
  LEFT JOIN orleans_membership_silo s ON s.cluster_id = v.cluster_id
 WHERE v.cluster_id = @DeploymentId
$sql$),

-- Both answer one boolean column: true when the write happened.
('InsertMembershipKey', $sql$
SELECT orleans_membership_insert_silo(
           p_cluster_id      => @DeploymentId,
           p_address         => @Address,
           p_port            => @Port,
           p_generation      => @Generation,
           p_silo_name       => @SiloName,
           p_host_name       => @HostName,
           p_status          => @Status,
           p_proxy_port      => @ProxyPort,
           p_start_time      => @StartTime,
           p_i_am_alive_time => @IAmAliveTime,
           p_version         => @Version) AS "Inserted"
$sql$),

('UpdateMembershipKey', $sql$
SELECT orleans_membership_update_silo(
           p_cluster_id      => @DeploymentId,
           p_address         => @Address,
           p_port            => @Port,
           p_generation      => @Generation,
           p_status          => @Status,
           p_suspect_times   => @SuspectTimes,
           p_i_am_alive_time => @IAmAliveTime,
           p_version         => @Version) AS "Updated"
$sql$),

-- The heartbeat. Outside the version protocol on purpose; its result is not read.
('UpdateIAmAlivetimeKey', $sql$
UPDATE orleans_membership_silo
   SET i_am_alive_time = @IAmAliveTime
 WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$sql$),

-- The gateways a client may connect to: silos with the status the client asks for (Active) and a
-- gateway port. Read by the client's gateway list provider.
('GatewaysQueryKey', $sql$
SELECT address    AS "Address",
       proxy_port AS "ProxyPort",
       generation AS "Generation"
  FROM orleans_membership_silo
 WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
$sql$),

-- Removes a whole cluster (tests and tooling); the silo rows go with the version row.
('DeleteMembershipTableEntriesKey', $sql$
DELETE FROM orleans_membership_version WHERE cluster_id = @DeploymentId
$sql$),

-- Defunct-silo clean-up, run now and then by the oldest active silo. With the key below present,
-- Orleans 10.4 reads the table, picks the Dead rows whose start, I-am-alive and suspicion times are
-- all older than its cut-off, and deletes each with CleanupDefunctSiloEntryKey, which only deletes the
-- row if it still holds the values read. Neither touches the version: a Dead row no longer takes part
-- in the protocol.
('CleanupDefunctSiloEntryKey', $sql$
DELETE FROM orleans_membership_silo
 WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
   AND status = 6
   AND start_time = @StartTime
   AND i_am_alive_time = @IAmAliveTime
   AND suspect_times IS NOT DISTINCT FROM nullif(@SuspectTimes, '')
$sql$),

-- The older, bulk form (used by providers that lack the key above): every row not Active whose
-- heartbeat is older than the cut-off.
('CleanupDefunctSiloEntriesKey', $sql$
DELETE FROM orleans_membership_silo
 WHERE cluster_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3
$sql$);
