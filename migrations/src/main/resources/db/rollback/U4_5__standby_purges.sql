-- Rolls back V4_5__standby_purges.sql. A relay running against a standby rolled back past it stops at the first
-- delivery (its purge floors are gone): roll the relay back first.
DROP TABLE IF EXISTS factory.cdc_purge_floors;
ALTER TABLE factory.agent_history REPLICA IDENTITY DEFAULT;
REVOKE DELETE ON factory.agents, factory.prds, factory.agent_versions, factory.agent_history, factory.prd_versions,
    factory.audit_log, factory.processed_events, factory.ingest_offsets FROM factory_writer;
