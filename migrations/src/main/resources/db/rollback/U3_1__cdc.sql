-- Rolls back V3_1__cdc.sql. The relay's replication slot is not a schema object: drop it with
-- pg_drop_replication_slot once no relay runs, or it keeps pinning WAL. Dropping cdc_offsets loses the relay's
-- position: after a re-migrate it snapshots and publishes every row again (db rollback wants --drop-data for it).
DROP PUBLICATION IF EXISTS factory_cdc;
ALTER TABLE factory.agents REPLICA IDENTITY DEFAULT;
ALTER TABLE factory.prds REPLICA IDENTITY DEFAULT;
ALTER TABLE factory.prd_agents REPLICA IDENTITY DEFAULT;
DROP TABLE IF EXISTS factory.cdc_offsets;
DROP TABLE IF EXISTS factory.cdc_heartbeat;
