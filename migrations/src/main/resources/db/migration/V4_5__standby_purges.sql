-- What the CDC relay needs to apply deletes to the standby: an operator's purge (a hard delete of an agent or
-- PRD with its rows, an erasure request), and the daily `ops prune-outcomes`. Paired rollback:
-- db/rollback/U4_5__standby_purges.sql.
--
-- 1. The relay writes the standby as factory_writer, which could delete only links: the first purge, and the
-- first prune of processed_events, were refused on the standby at every retry and stopped the relay for good
-- (Redis and the audit topics wait on the standby too). The relay must be able to apply every change the
-- publication carries, so the writer may now delete from every published data table. The grant is the same on
-- both clusters, as every migration is, because a failover turns the standby into the primary. What it gives
-- the ingest worker on the primary: little it lacked, since it may already UPDATE every row of these tables; it
-- deletes nothing but links.
GRANT DELETE ON factory.agents, factory.prds, factory.agent_versions, factory.agent_history, factory.prd_versions,
    factory.audit_log, factory.processed_events, factory.ingest_offsets TO factory_writer;

-- 2. A history entry's delete carried only its key (seq) through the publication, and Debezium fills the other
-- NOT NULL columns of such a before-image with empty values: the relay's audit sink could not tell whose entry
-- it was (agent_id ''), failed at every retry, and stopped the relay. With the full row the purge's history
-- deletes reach the agent's audit topic (with the entry's identity only: the relay publishes no erased content).
-- Rows of this table are only ever inserted, except by a purge, so the full identity adds nothing to the WAL of
-- the worker's writes. The ALTER takes an ACCESS EXCLUSIVE lock on agent_history for an instant, once every
-- transaction that touched the table has ended (a backup's, say); while it waits, the worker's and the gateway's
-- statements on the table queue behind it, for at most the migration tool's lock_timeout (10s): the migration then
-- fails and rolls back, and is run again.
ALTER TABLE factory.agent_history REPLICA IDENTITY FULL;

-- 3. A purge floor per purged entity, written by the relay in the standby transaction that applies the purge:
-- the WAL position (LSN) of the entity row's delete. A change of that entity, of its versions, history or
-- links at or below it is from before the purge, so the standby skips it: a delivery repeated after the id was
-- created again (a relay restart before its offset flush), or one applied late by a relay that lost its lock,
-- can then neither remove the new entity's links nor bring the purged entity back. Only the standby writes it,
-- so it is not in the publication, and backups, restores and `ops verify` leave it out (store.replica.TableSpec).
-- A row per purged id (a second purge raises it), kept: purges are rare, and a floor is needed for as long as the
-- slot could deliver a change from before it again. `ops restore` clears them: they are LSNs of one primary.
CREATE TABLE factory.cdc_purge_floors (
    entity_table text        NOT NULL,
    entity_id    uuid        NOT NULL,
    purge_lsn    bigint      NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_id, entity_table),
    CONSTRAINT cdc_purge_floors_entity_table CHECK (entity_table IN ('agents', 'prds'))
);

ALTER TABLE factory.cdc_purge_floors ENABLE ROW LEVEL SECURITY;
CREATE POLICY cdc_purge_floors_writer_all ON factory.cdc_purge_floors FOR ALL TO factory_writer
    USING (true) WITH CHECK (true);
CREATE POLICY cdc_purge_floors_read ON factory.cdc_purge_floors FOR SELECT TO factory_reader, factory_replicator
    USING (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON factory.cdc_purge_floors TO factory_writer;
GRANT SELECT ON factory.cdc_purge_floors TO factory_reader, factory_replicator;
