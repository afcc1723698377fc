-- What the CDC relay needs: the publication it streams, the heartbeat table its heartbeats write so the
-- replication slot advances while factory is idle, and the table of its durable Debezium offsets.
-- Paired rollback: db/rollback/U3_1__cdc.sql.

-- Debezium's heartbeat.action.query upserts the single row; the change travels through the slot like
-- any other, so the relay confirms an LSN even when no factory table changes.
CREATE TABLE factory.cdc_heartbeat (
    id      smallint    PRIMARY KEY,
    beat_at timestamptz NOT NULL,
    CONSTRAINT cdc_heartbeat_single_row CHECK (id = 1)
);
INSERT INTO factory.cdc_heartbeat (id, beat_at) VALUES (1, now());

-- Debezium offsets (Kafka Connect's serialized key and value), written after every sink acknowledged.
-- Kept in the primary itself: it survives a Cloud Run restart (no disk there) and needs no extra system.
-- Not in the publication, so offset writes never come back as change events.
CREATE TABLE factory.cdc_offsets (
    offset_key   bytea       PRIMARY KEY,
    offset_value bytea,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Full before-images where the relay needs them: audit events carry the whole before row, and with
-- FULL the old tuple carries TOASTed values, so an unchanged large column of an update can be taken from
-- it instead of reaching a sink as Debezium's unavailable-value placeholder.
ALTER TABLE factory.agents REPLICA IDENTITY FULL;
ALTER TABLE factory.prds REPLICA IDENTITY FULL;
ALTER TABLE factory.prd_agents REPLICA IDENTITY FULL;

-- Every factory table reaches the standby; the heartbeat table keeps the slot moving.
CREATE PUBLICATION factory_cdc FOR TABLE
    factory.agents, factory.agent_versions, factory.agent_history,
    factory.prds, factory.prd_versions, factory.prd_agents,
    factory.audit_log, factory.processed_events, factory.ingest_offsets,
    factory.cdc_heartbeat;

ALTER TABLE factory.cdc_heartbeat ENABLE ROW LEVEL SECURITY;
ALTER TABLE factory.cdc_offsets ENABLE ROW LEVEL SECURITY;
CREATE POLICY cdc_heartbeat_replicator_all ON factory.cdc_heartbeat FOR ALL TO factory_replicator
    USING (true) WITH CHECK (true);
CREATE POLICY cdc_offsets_replicator_all ON factory.cdc_offsets FOR ALL TO factory_replicator
    USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON factory.cdc_heartbeat, factory.cdc_offsets TO factory_replicator;
GRANT DELETE ON factory.cdc_offsets TO factory_replicator;
