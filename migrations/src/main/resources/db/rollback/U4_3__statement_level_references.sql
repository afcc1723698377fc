-- Rolls back V4_3__statement_level_references.sql: the three foreign keys of V1 instead of the triggers.
-- Re-adding a key scans the referencing table (validation) under a SHARE ROW EXCLUSIVE lock. The triggers
-- kept the same rule for every writer outside replica mode, so the scan fails only if rows were written
-- in replica mode (the standby's apply) without their parent, as it would have with the keys.
-- That lock (on agents and prds too) blocks writes until the rollback commits: stop the worker first.
DROP TRIGGER agents_delete_locks_references ON factory.agents;
DROP TRIGGER agents_delete_keeps_references ON factory.agents;
DROP TRIGGER agents_truncate_keeps_references ON factory.agents;
DROP TRIGGER prds_delete_locks_references ON factory.prds;
DROP TRIGGER prds_delete_keeps_references ON factory.prds;
DROP TRIGGER prds_truncate_keeps_references ON factory.prds;
DROP TRIGGER agents_id_immutable ON factory.agents;
DROP TRIGGER prds_id_immutable ON factory.prds;
DROP TRIGGER agent_versions_reference_agents_on_insert ON factory.agent_versions;
DROP TRIGGER agent_versions_reference_agents_on_update ON factory.agent_versions;
DROP TRIGGER agent_history_reference_agents_on_insert ON factory.agent_history;
DROP TRIGGER agent_history_reference_agents_on_update ON factory.agent_history;
DROP TRIGGER prd_versions_reference_prds_on_insert ON factory.prd_versions;
DROP TRIGGER prd_versions_reference_prds_on_update ON factory.prd_versions;
DROP FUNCTION factory.rows_reference_agents(), factory.rows_reference_prds(), factory.id_is_immutable(),
    factory.agents_stay_referenced(), factory.prds_stay_referenced();

ALTER TABLE factory.agent_versions
    ADD CONSTRAINT agent_versions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES factory.agents (id);
ALTER TABLE factory.agent_history
    ADD CONSTRAINT agent_history_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES factory.agents (id);
ALTER TABLE factory.prd_versions
    ADD CONSTRAINT prd_versions_prd_id_fkey FOREIGN KEY (prd_id) REFERENCES factory.prds (id);
