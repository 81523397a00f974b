-- The grain runtime's coordination state (after Orleans' ADO.NET clustering, directory and storage
-- scripts, with the changes our runtime needs).

-- Membership: one version row per cluster. Every membership change is a compare-and-swap on it, in
-- the same transaction as the silo row change, so all silos observe one total order of views.
CREATE TABLE runtime_membership_version (
    cluster_id text        PRIMARY KEY,
    version    integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address:port@generation). etag counts the row's changes; the
-- I-am-alive heartbeat changes neither it nor the version row.
CREATE TABLE runtime_membership_silo (
    cluster_id      text          NOT NULL REFERENCES runtime_membership_version (cluster_id) ON DELETE CASCADE,
    address         text          NOT NULL,
    port            integer       NOT NULL CHECK (port BETWEEN 0 AND 65535),
    generation      integer       NOT NULL,
    silo_name       text          NOT NULL,
    host_name       text          NOT NULL,
    status          smallint      NOT NULL CHECK (status BETWEEN 1 AND 6),
    gateway_port    integer       NOT NULL DEFAULT 0 CHECK (gateway_port BETWEEN 0 AND 65535),
    roles           text[]        NOT NULL DEFAULT '{}',
    -- Suspicion votes: suspecters[i] (a silo address) voted at suspect_times[i].
    suspecters      text[]        NOT NULL DEFAULT '{}',
    suspect_times   timestamptz[] NOT NULL DEFAULT '{}',
    start_time      timestamptz   NOT NULL,
    i_am_alive_time timestamptz   NOT NULL,
    etag            integer       NOT NULL DEFAULT 0,
    PRIMARY KEY (cluster_id, address, port, generation),
    CHECK (cardinality(suspecters) = cardinality(suspect_times))
);

-- Grain directory: first writer wins on the primary key, so a grain has one activation cluster-wide.
CREATE TABLE runtime_grain_directory (
    cluster_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    silo_address  text        NOT NULL,
    activation_id uuid        NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cluster_id, grain_id)
);
-- Dropping a dead silo's registrations must not scan the directory.
CREATE INDEX runtime_grain_directory_silo ON runtime_grain_directory (cluster_id, silo_address);

-- Grain state: unlike Orleans' OrleansStorage, a unique key per grain, so two concurrent first
-- writes cannot both insert. version is the ETag; a clear keeps the row with a NULL payload and a
-- bumped version, so an old ETag can never match again.
CREATE TABLE runtime_grain_state (
    service_id  text        NOT NULL,
    state_name  text        NOT NULL,
    grain_id    text        NOT NULL,
    payload     bytea       NULL,
    version     integer     NOT NULL CHECK (version > 0),
    modified_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, state_name, grain_id)
);
