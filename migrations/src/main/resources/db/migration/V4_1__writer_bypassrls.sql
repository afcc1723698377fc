-- Lets the ingest worker append with COPY (issue 4: ingest throughput). PostgreSQL refuses COPY FROM into a
-- table with row-level security for a role subject to it, and COPY writes the append-only tables
-- (agent_versions, prd_versions, agent_history, audit_log) about twice as fast as INSERT ... SELECT FROM unnest.
-- Paired rollback: db/rollback/U4_1__writer_bypassrls.sql.
--
-- What this gives up: nothing today. factory_writer's policies are USING (true) WITH CHECK (true) on every
-- table, so RLS never filtered a row for it; its reach is still bounded by its grants (SELECT, INSERT, UPDATE
-- on factory, DELETE on prd_agents only). A future policy that restricts the writer must revert this first.
--
-- Roles are cluster-wide, so this (and its rollback) applies to every database of the cluster. The worker
-- does not depend on it: it checks row_security_active() in each batch's transaction and uses INSERT when
-- RLS applies. Where the migration owner may not grant the attribute (PostgreSQL < 16 requires a superuser;
-- managed services may refuse), the migration only reports it and the worker keeps the INSERT path.
DO $$
BEGIN
    ALTER ROLE factory_writer BYPASSRLS;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'factory_writer keeps row-level security (%): the ingest worker appends with INSERT', SQLERRM;
END
$$;
