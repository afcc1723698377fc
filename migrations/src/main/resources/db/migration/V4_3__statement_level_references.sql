-- Version and history rows checked against their agent or PRD once per statement, not once per row
-- (issue 4: ingest throughput). A foreign key runs one lookup per inserted row and locks the row it finds
-- (FOR KEY SHARE: a heap lock plus a WAL record); the worker inserts its versions 2,000 rows to a COPY,
-- and that check was its largest single database cost. `bin/bench ingest --worker-only`, alternating runs:
-- about 2 us less database CPU per event with these triggers (29.5 against 31.6 us); with no check at all
-- it would be 4.5 us less. The triggers do one index probe per row and no locking.
-- Paired rollback: db/rollback/U4_3__statement_level_references.sql.
--
-- The same guarantees as the three foreign keys they replace, for every writer:
--   * inserted or updated agent_versions / agent_history rows name an existing agent, prd_versions rows an
--     existing PRD (checked after each statement, over its transition table);
--   * an agent or PRD with versions or history cannot be deleted (deletes are soft; only the owner has
--     DELETE at all), and an id never changes.
-- A foreign key's row lock is what stops a concurrent delete from orphaning a row being inserted. Here a
-- DELETE of agents or prds first takes SHARE locks on the tables that reference them: it waits for
-- transactions that are inserting there and blocks new ones until it ends, so its check sees every row.
-- Like the keys, the triggers do not fire in replica mode (session_replication_role = replica), which is
-- how the relay applies rows to the standby.
-- Dropping a key and creating triggers takes brief ACCESS EXCLUSIVE / SHARE ROW EXCLUSIVE locks; no scan.

ALTER TABLE factory.agent_versions DROP CONSTRAINT agent_versions_agent_id_fkey;
ALTER TABLE factory.agent_history DROP CONSTRAINT agent_history_agent_id_fkey;
ALTER TABLE factory.prd_versions DROP CONSTRAINT prd_versions_prd_id_fkey;

-- Each function serves every table through its trigger arguments (TG_ARGV), hence dynamic SQL; it is
-- planned once per statement, not per row. Transition tables are visible to EXECUTE.

-- Arguments: the referenced table, the referencing column.
CREATE FUNCTION factory.rows_reference_parent() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    missing uuid;
BEGIN
    EXECUTE format('SELECT n.%1$I FROM new_rows n WHERE NOT EXISTS (SELECT FROM factory.%2$I p WHERE p.id = n.%1$I) '
                   'LIMIT 1', TG_ARGV[1], TG_ARGV[0]) INTO missing;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates its reference to table "%"', TG_TABLE_NAME, TG_ARGV[0]
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[1], missing, TG_ARGV[0]);
    END IF;
    RETURN NULL;
END
$$;

-- A trigger with a transition table takes one event, hence an INSERT and an UPDATE trigger per table.
CREATE TRIGGER agent_versions_reference_agents_on_insert AFTER INSERT ON factory.agent_versions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factory.rows_reference_parent('agents', 'agent_id');
CREATE TRIGGER agent_versions_reference_agents_on_update AFTER UPDATE ON factory.agent_versions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factory.rows_reference_parent('agents', 'agent_id');
CREATE TRIGGER agent_history_reference_agents_on_insert AFTER INSERT ON factory.agent_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factory.rows_reference_parent('agents', 'agent_id');
CREATE TRIGGER agent_history_reference_agents_on_update AFTER UPDATE ON factory.agent_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factory.rows_reference_parent('agents', 'agent_id');
CREATE TRIGGER prd_versions_reference_prds_on_insert AFTER INSERT ON factory.prd_versions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factory.rows_reference_parent('prds', 'prd_id');
CREATE TRIGGER prd_versions_reference_prds_on_update AFTER UPDATE ON factory.prd_versions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factory.rows_reference_parent('prds', 'prd_id');

CREATE FUNCTION factory.id_is_immutable() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'the id of a row of table "%" cannot change', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is referenced.', OLD.id);
    END IF;
    RETURN NEW;
END
$$;

-- UPDATE OF id: the trigger fires only for statements that assign id, never for the worker's upserts.
CREATE TRIGGER agents_id_immutable BEFORE UPDATE OF id ON factory.agents
    FOR EACH ROW EXECUTE FUNCTION factory.id_is_immutable();
CREATE TRIGGER prds_id_immutable BEFORE UPDATE OF id ON factory.prds
    FOR EACH ROW EXECUTE FUNCTION factory.id_is_immutable();

-- Arguments: pairs of referencing table and column. Before the delete: SHARE locks on those tables;
-- after it: none of them may name a deleted row.
CREATE FUNCTION factory.deleted_rows_are_unreferenced() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    referenced uuid;
BEGIN
    FOR i IN 0 .. TG_NARGS - 1 BY 2 LOOP
        IF TG_WHEN = 'BEFORE' THEN
            EXECUTE format('LOCK TABLE factory.%I IN SHARE MODE', TG_ARGV[i]);
        ELSE
            EXECUTE format('SELECT o.id FROM old_rows o WHERE EXISTS (SELECT FROM factory.%I r WHERE r.%I = o.id) '
                           'LIMIT 1', TG_ARGV[i], TG_ARGV[i + 1]) INTO referenced;
            IF referenced IS NOT NULL THEN
                RAISE EXCEPTION 'delete on table "%" violates the reference from table "%"', TG_TABLE_NAME, TG_ARGV[i]
                    USING ERRCODE = 'foreign_key_violation',
                          DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', referenced, TG_ARGV[i]);
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_delete_locks_references BEFORE DELETE ON factory.agents FOR EACH STATEMENT
    EXECUTE FUNCTION factory.deleted_rows_are_unreferenced('agent_versions', 'agent_id', 'agent_history', 'agent_id');
CREATE TRIGGER agents_delete_keeps_references AFTER DELETE ON factory.agents
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factory.deleted_rows_are_unreferenced('agent_versions', 'agent_id', 'agent_history', 'agent_id');
CREATE TRIGGER prds_delete_locks_references BEFORE DELETE ON factory.prds FOR EACH STATEMENT
    EXECUTE FUNCTION factory.deleted_rows_are_unreferenced('prd_versions', 'prd_id');
CREATE TRIGGER prds_delete_keeps_references AFTER DELETE ON factory.prds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factory.deleted_rows_are_unreferenced('prd_versions', 'prd_id');

-- As in V1: functions are executable by PUBLIC unless revoked. Trigger functions run as the table's
-- writer, so the writer keeps EXECUTE; nobody calls them directly.
REVOKE EXECUTE ON FUNCTION factory.rows_reference_parent(), factory.id_is_immutable(),
    factory.deleted_rows_are_unreferenced() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION factory.rows_reference_parent(), factory.id_is_immutable(),
    factory.deleted_rows_are_unreferenced() TO factory_writer;
