-- The factory schema: agents, PRDs, their versions, history, links, audit and the ingest bookkeeping.
-- Paired rollback: db/rollback/U1__factory_schema.sql.
-- Placeholders (Flyway): ${writer_password}, ${reader_password}, ${replicator_password}; the db tool doubles
-- any quote in them, so a password cannot end its string literal.
-- Flyway's history lives in schema factory_migrations, not here: rolling factory back to nothing keeps it.

CREATE SCHEMA IF NOT EXISTS factory;

-- Least-privilege roles, created idempotently; passwords come from the environment at migrate time.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES
            ('factory_writer', '${writer_password}', false),
            ('factory_reader', '${reader_password}', false),
            ('factory_replicator', '${replicator_password}', true)) AS t(name, pw, replication)
    LOOP
        -- Roles are cluster-wide: an existing role keeps its password (rotation is an operation, not a
        -- migration), so migrating another database, or the scratch database of `db validate`, never
        -- changes the credentials of running apps.
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', r.name, r.pw);
        END IF;
        IF r.replication THEN
            EXECUTE format('ALTER ROLE %I REPLICATION', r.name);
        ELSE
            -- A stuck app must not hold locks or a pooled connection forever. Not the replicator: a
            -- Debezium snapshot transaction may legitimately sit idle while its rows are streamed.
            EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', r.name, '60s');
        END IF;
    END LOOP;
    -- The gateway's reads are single-index lookups; anything slower is a bug, not a query to wait for.
    ALTER ROLE factory_reader SET statement_timeout = '5s';
END
$$;

CREATE TABLE factory.agents (
    id          uuid        PRIMARY KEY,
    slug        text        NOT NULL,
    name        text        NOT NULL,
    kind        text        NOT NULL,
    status      text        NOT NULL DEFAULT 'active',
    config      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    state       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    metadata    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    version     bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text        NOT NULL,
    deleted_at  timestamptz,
    CONSTRAINT agents_slug_unique UNIQUE (slug),
    CONSTRAINT agents_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,99}$'),
    CONSTRAINT agents_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT agents_kind_length CHECK (char_length(kind) BETWEEN 1 AND 100),
    CONSTRAINT agents_status_valid CHECK (status IN ('active', 'paused', 'retired')),
    CONSTRAINT agents_version_positive CHECK (version >= 1),
    CONSTRAINT agents_json_objects CHECK (jsonb_typeof(config) = 'object' AND jsonb_typeof(state) = 'object'
                                          AND jsonb_typeof(metadata) = 'object')
);
-- Keyset pagination: (updated_at, id) cursors, optionally filtered by status; live rows only.
CREATE INDEX agents_live_updated_idx ON factory.agents (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX agents_live_status_updated_idx ON factory.agents (status, updated_at, id) WHERE deleted_at IS NULL;

CREATE TABLE factory.agent_versions (
    agent_id     uuid        NOT NULL REFERENCES factory.agents (id),
    version      bigint      NOT NULL,
    change_type  text        NOT NULL,
    snapshot     jsonb       NOT NULL,
    actor        text        NOT NULL,
    event_id     uuid        NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, version),
    CONSTRAINT agent_versions_change_type_valid CHECK (change_type IN ('create', 'update', 'state', 'delete')),
    CONSTRAINT agent_versions_version_positive CHECK (version >= 1)
);

CREATE TABLE factory.agent_history (
    seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id     uuid        NOT NULL REFERENCES factory.agents (id),
    kind         text        NOT NULL,
    entry        jsonb       NOT NULL,
    recorded_at  timestamptz NOT NULL,
    actor        text        NOT NULL,
    event_id     uuid        NOT NULL,
    CONSTRAINT agent_history_kind_valid CHECK (kind IN ('learning', 'performance'))
);
-- History pages per agent, ordered by sequence.
CREATE INDEX agent_history_agent_seq_idx ON factory.agent_history (agent_id, seq);

CREATE TABLE factory.prds (
    id          uuid        PRIMARY KEY,
    slug        text        NOT NULL,
    title       text        NOT NULL,
    body        text        NOT NULL DEFAULT '',
    status      text        NOT NULL DEFAULT 'draft',
    metadata    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    owner       text,
    version     bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text        NOT NULL,
    deleted_at  timestamptz,
    CONSTRAINT prds_slug_unique UNIQUE (slug),
    CONSTRAINT prds_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,99}$'),
    CONSTRAINT prds_title_length CHECK (char_length(title) BETWEEN 1 AND 300),
    CONSTRAINT prds_body_length CHECK (octet_length(body) <= 1048576),
    CONSTRAINT prds_status_valid CHECK (status IN ('draft', 'review', 'approved', 'archived')),
    CONSTRAINT prds_version_positive CHECK (version >= 1),
    CONSTRAINT prds_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);
CREATE INDEX prds_live_updated_idx ON factory.prds (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX prds_live_status_updated_idx ON factory.prds (status, updated_at, id) WHERE deleted_at IS NULL;

-- The PRD lifecycle: draft -> review -> approved -> archived (review may go back to draft, and any
-- non-archived PRD may be archived). The worker checks the same rule first and answers REJECTED;
-- this trigger keeps any other writer honest.
CREATE FUNCTION factory.prd_status_transition_allowed(old_status text, new_status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$
    SELECT old_status = new_status
        OR (old_status, new_status) IN (('draft', 'review'), ('review', 'draft'), ('review', 'approved'),
                                        ('approved', 'archived'), ('draft', 'archived'), ('review', 'archived'))
$$;

CREATE FUNCTION factory.prds_check_status_transition() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NOT factory.prd_status_transition_allowed(OLD.status, NEW.status) THEN
        RAISE EXCEPTION 'PRD % cannot move from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER prds_status_transition BEFORE UPDATE OF status ON factory.prds
    FOR EACH ROW EXECUTE FUNCTION factory.prds_check_status_transition();

CREATE TABLE factory.prd_versions (
    prd_id       uuid        NOT NULL REFERENCES factory.prds (id),
    version      bigint      NOT NULL,
    change_type  text        NOT NULL,
    snapshot     jsonb       NOT NULL,
    actor        text        NOT NULL,
    event_id     uuid        NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (prd_id, version),
    CONSTRAINT prd_versions_change_type_valid CHECK (change_type IN ('create', 'update', 'link', 'unlink', 'delete')),
    CONSTRAINT prd_versions_version_positive CHECK (version >= 1)
);

CREATE TABLE factory.prd_agents (
    prd_id    uuid        NOT NULL REFERENCES factory.prds (id),
    agent_id  uuid        NOT NULL REFERENCES factory.agents (id),
    role      text        NOT NULL DEFAULT 'implementer',
    linked_at timestamptz NOT NULL,
    linked_by text        NOT NULL,
    PRIMARY KEY (prd_id, agent_id),
    CONSTRAINT prd_agents_role_length CHECK (char_length(role) BETWEEN 1 AND 100)
);
-- Which PRDs specify an agent.
CREATE INDEX prd_agents_agent_idx ON factory.prd_agents (agent_id, prd_id);

CREATE TABLE factory.audit_log (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_type  text        NOT NULL,
    entity_id    uuid        NOT NULL,
    version      bigint,
    command_type text        NOT NULL,
    actor        text        NOT NULL,
    event_id     uuid        NOT NULL,
    occurred_at  timestamptz NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    details      jsonb,
    CONSTRAINT audit_log_entity_type_valid CHECK (entity_type IN ('agent', 'prd'))
);
CREATE INDEX audit_log_entity_idx ON factory.audit_log (entity_type, entity_id, id);
CREATE INDEX audit_log_actor_idx ON factory.audit_log (actor, committed_at, id);
CREATE INDEX audit_log_committed_idx ON factory.audit_log (committed_at, id);

-- One row per eventId ever processed: the dedup key and the outcome GET /writes/{eventId} answers.
CREATE TABLE factory.processed_events (
    event_id     uuid        PRIMARY KEY,
    entity_type  text        NOT NULL,
    entity_id    uuid        NOT NULL,
    command_type text        NOT NULL,
    outcome      text        NOT NULL,
    version      bigint,
    reason       text,
    processed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT processed_events_outcome_valid CHECK (outcome IN ('APPLIED', 'CONFLICT', 'REJECTED'))
);

-- The worker's consumed positions, committed in the same transaction as the rows they produced.
CREATE TABLE factory.ingest_offsets (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    next_offset    bigint      NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition),
    CONSTRAINT ingest_offsets_non_negative CHECK (partition >= 0 AND next_offset >= 0)
);

-- Row-level security on every table. The app roles get explicit policies; the owner (migrations)
-- bypasses RLS as table owner. Supabase's anon and authenticated roles get nothing here: the schema
-- is not exposed through its REST API.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'agent_versions', 'agent_history', 'prds', 'prd_versions', 'prd_agents',
                             'audit_log', 'processed_events', 'ingest_offsets']
    LOOP
        EXECUTE format('ALTER TABLE factory.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON factory.%I FOR ALL TO factory_writer USING (true) WITH CHECK (true)',
                       t || '_writer_all', t);
        EXECUTE format('CREATE POLICY %I ON factory.%I FOR SELECT TO factory_reader, factory_replicator USING (true)',
                       t || '_read', t);
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA factory TO factory_writer, factory_reader, factory_replicator;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA factory TO factory_writer;
GRANT DELETE ON factory.prd_agents TO factory_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA factory TO factory_reader, factory_replicator;
-- Functions are executable by PUBLIC unless revoked.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA factory FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA factory TO factory_writer, factory_reader;
