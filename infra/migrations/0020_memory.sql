-- Memory engine: records (A-MEM notes, Mem0 facts, graph entities, raw messages, G-Memory tiers),
-- typed edges, the history of every change, and the durable queue of pending background work.
--
-- Embedding dimension. A store's dimension is fixed for its life, but different deployments (and
-- tests) use different embedders, and an HNSW index needs one fixed dimension. So `embedding` is an
-- untyped `vector` (any dimension), `embedding_dims` records its dimension, and each dimension in
-- use gets a partial expression index:
--     USING hnsw ((embedding::vector(N)) vector_cosine_ops) WHERE embedding_dims = N
-- Queries say `WHERE embedding_dims = N ... ORDER BY embedding::vector(N) <=> @q::vector(N)`, which the
-- planner matches to that index. This migration indexes 384 (the offline embedder's default); a
-- deployment with another dimension adds a one-statement migration like the one below. Without it
-- search still answers correctly, by exact scan.

CREATE TABLE memory_records (
    id             uuid        PRIMARY KEY,
    tenant         text        NOT NULL,
    user_id        text,
    agent_id       text,
    run_id         text,
    team_id        text,
    kind           text        NOT NULL,
    content        text        NOT NULL,
    embedding      vector,
    embedding_dims integer     GENERATED ALWAYS AS (vector_dims(embedding)) STORED,
    keywords       text[]      NOT NULL DEFAULT '{}',
    tags           text[]      NOT NULL DEFAULT '{}',
    context        text,
    category       text,
    metadata       jsonb       NOT NULL DEFAULT '{}',
    sources        text[]      NOT NULL DEFAULT '{}',
    -- content, context, keywords and tags, composed by the application (MemorySearchText).
    search_text    text        NOT NULL,
    search         tsvector    GENERATED ALWAYS AS (to_tsvector('english'::regconfig, search_text)) STORED,
    observed_at    timestamptz NOT NULL,
    valid_at       timestamptz,
    invalid_at     timestamptz,
    expired_at     timestamptz,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    version        bigint      NOT NULL,
    CONSTRAINT memory_records_scope_named CHECK (num_nonnulls(user_id, agent_id, run_id, team_id) > 0)
);

-- Scope filters are on every query; without these, search scanned whole tables (mem0 PR #3790).
CREATE INDEX memory_records_user  ON memory_records (tenant, user_id)  WHERE user_id  IS NOT NULL;
CREATE INDEX memory_records_agent ON memory_records (tenant, agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX memory_records_run   ON memory_records (tenant, run_id)   WHERE run_id   IS NOT NULL;
CREATE INDEX memory_records_team  ON memory_records (tenant, team_id)  WHERE team_id  IS NOT NULL;
CREATE INDEX memory_records_kind_observed ON memory_records (tenant, kind, observed_at);
CREATE INDEX memory_records_tags ON memory_records USING gin (tags);
CREATE INDEX memory_records_search ON memory_records USING gin (search);
CREATE INDEX memory_records_embedding_384 ON memory_records
    USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE embedding_dims = 384;

CREATE TABLE memory_edges (
    id                  uuid             PRIMARY KEY,
    tenant              text             NOT NULL,
    user_id             text,
    agent_id            text,
    run_id              text,
    team_id             text,
    -- Deleting a record removes the edges touching it; the pipelines close edges instead.
    from_id             uuid             NOT NULL REFERENCES memory_records (id) ON DELETE CASCADE,
    to_id               uuid             NOT NULL REFERENCES memory_records (id) ON DELETE CASCADE,
    type                text             NOT NULL,
    fact                text,
    fact_embedding      vector,
    weight              double precision NOT NULL,
    valid_at            timestamptz,
    invalid_at          timestamptz,
    expired_at          timestamptz,
    created_at          timestamptz      NOT NULL,
    sources             text[]           NOT NULL DEFAULT '{}',
    CONSTRAINT memory_edges_scope_named CHECK (num_nonnulls(user_id, agent_id, run_id, team_id) > 0)
);
CREATE INDEX memory_edges_from ON memory_edges (from_id, type);
CREATE INDEX memory_edges_to   ON memory_edges (to_id, type);
CREATE INDEX memory_edges_user  ON memory_edges (tenant, user_id)  WHERE user_id  IS NOT NULL;
CREATE INDEX memory_edges_agent ON memory_edges (tenant, agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX memory_edges_run   ON memory_edges (tenant, run_id)   WHERE run_id   IS NOT NULL;
CREATE INDEX memory_edges_team  ON memory_edges (tenant, team_id)  WHERE team_id  IS NOT NULL;

-- No foreign key: history outlives its record (a delete leaves its row) until the scope is erased.
CREATE TABLE memory_history (
    seq         bigserial   PRIMARY KEY,
    id          uuid        NOT NULL UNIQUE,
    record_id   uuid        NOT NULL,
    tenant      text        NOT NULL,
    user_id     text,
    agent_id    text,
    run_id      text,
    team_id     text,
    old_content text,
    new_content text,
    event       text        NOT NULL,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    version     bigint      NOT NULL
);
CREATE INDEX memory_history_record ON memory_history (record_id, seq);
CREATE INDEX memory_history_user  ON memory_history (tenant, user_id)  WHERE user_id  IS NOT NULL;
CREATE INDEX memory_history_agent ON memory_history (tenant, agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX memory_history_run   ON memory_history (tenant, run_id)   WHERE run_id   IS NOT NULL;
CREATE INDEX memory_history_team  ON memory_history (tenant, team_id)  WHERE team_id  IS NOT NULL;

-- Pending background work, enqueued in the transaction that stores the raw input. Claimed with
-- FOR UPDATE SKIP LOCKED under a lease; an expired lease makes the job claimable again.
CREATE TABLE memory_jobs (
    id               uuid        PRIMARY KEY,
    tenant           text        NOT NULL,
    user_id          text,
    agent_id         text,
    run_id           text,
    team_id          text,
    kind             text        NOT NULL,
    payload          text        NOT NULL,
    idempotency_key  text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    enqueued_at      timestamptz NOT NULL,
    available_at     timestamptz NOT NULL,
    lease_owner      text,
    lease_expires_at timestamptz,
    finished_at      timestamptz,
    last_error       text,
    CONSTRAINT memory_jobs_idempotency UNIQUE (tenant, idempotency_key)
);
CREATE INDEX memory_jobs_claimable ON memory_jobs (enqueued_at, id) WHERE status = 'pending';
CREATE INDEX memory_jobs_user  ON memory_jobs (tenant, user_id)  WHERE user_id  IS NOT NULL;
CREATE INDEX memory_jobs_agent ON memory_jobs (tenant, agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX memory_jobs_run   ON memory_jobs (tenant, run_id)   WHERE run_id   IS NOT NULL;
CREATE INDEX memory_jobs_team  ON memory_jobs (tenant, team_id)  WHERE team_id  IS NOT NULL;
