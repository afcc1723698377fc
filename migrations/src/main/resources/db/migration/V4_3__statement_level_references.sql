-- Version and history rows checked against their agent or PRD once per statement, not once per row
-- (issue 4: ingest throughput). A foreign key runs one lookup per inserted row and locks the row it finds
-- (FOR KEY SHARE: a heap lock plus a WAL record); the worker inserts its versions 2,000 rows to a COPY,
-- and that check was its largest single database cost: `bin/bench ingest` measured 4.8 us of database
-- CPU per event with the key, 2 us with these triggers (of about 31).
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

CREATE FUNCTION factory.rows_reference_agents() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    missing uuid;
BEGIN
    SELECT n.agent_id INTO missing FROM new_rows n
    WHERE NOT EXISTS (SELECT FROM factory.agents a WHERE a.id = n.agent_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates its reference to table "agents"', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (agent_id)=(%s) is not present in table "agents".', missing);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION factory.rows_reference_prds() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    missing uuid;
BEGIN
    SELECT n.prd_id INTO missing FROM new_rows n
    WHERE NOT EXISTS (SELECT FROM factory.prds p WHERE p.id = n.prd_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates its reference to table "prds"', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (prd_id)=(%s) is not present in table "prds".', missing);
    END IF;
    RETURN NULL;
END
$$;

-- A trigger with a transition table takes one event, hence an INSERT and an UPDATE trigger per table.
CREATE TRIGGER agent_versions_reference_agents_on_insert AFTER INSERT ON factory.agent_versions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.rows_reference_agents();
CREATE TRIGGER agent_versions_reference_agents_on_update AFTER UPDATE ON factory.agent_versions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.rows_reference_agents();
CREATE TRIGGER agent_history_reference_agents_on_insert AFTER INSERT ON factory.agent_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.rows_reference_agents();
CREATE TRIGGER agent_history_reference_agents_on_update AFTER UPDATE ON factory.agent_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.rows_reference_agents();
CREATE TRIGGER prd_versions_reference_prds_on_insert AFTER INSERT ON factory.prd_versions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.rows_reference_prds();
CREATE TRIGGER prd_versions_reference_prds_on_update AFTER UPDATE ON factory.prd_versions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.rows_reference_prds();

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

CREATE FUNCTION factory.lock_agent_references() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE factory.agent_versions, factory.agent_history IN SHARE MODE;
    RETURN NULL;
END
$$;

CREATE FUNCTION factory.lock_prd_references() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE factory.prd_versions IN SHARE MODE;
    RETURN NULL;
END
$$;

CREATE FUNCTION factory.deleted_agents_are_unreferenced() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    referenced uuid;
BEGIN
    SELECT o.id INTO referenced FROM old_rows o
    WHERE EXISTS (SELECT FROM factory.agent_versions v WHERE v.agent_id = o.id)
       OR EXISTS (SELECT FROM factory.agent_history h WHERE h.agent_id = o.id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'delete on table "agents" violates the references of its versions and history'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced.', referenced);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION factory.deleted_prds_are_unreferenced() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    referenced uuid;
BEGIN
    SELECT o.id INTO referenced FROM old_rows o
    WHERE EXISTS (SELECT FROM factory.prd_versions v WHERE v.prd_id = o.id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'delete on table "prds" violates the references of its versions'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced.', referenced);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_delete_locks_references BEFORE DELETE ON factory.agents
    FOR EACH STATEMENT EXECUTE FUNCTION factory.lock_agent_references();
CREATE TRIGGER agents_delete_keeps_references AFTER DELETE ON factory.agents
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.deleted_agents_are_unreferenced();
CREATE TRIGGER prds_delete_locks_references BEFORE DELETE ON factory.prds
    FOR EACH STATEMENT EXECUTE FUNCTION factory.lock_prd_references();
CREATE TRIGGER prds_delete_keeps_references AFTER DELETE ON factory.prds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.deleted_prds_are_unreferenced();

-- As in V1: functions are executable by PUBLIC unless revoked. Trigger functions run as the table's
-- writer, so the writer keeps EXECUTE; nobody calls them directly.
REVOKE EXECUTE ON FUNCTION factory.rows_reference_agents(), factory.rows_reference_prds(),
    factory.id_is_immutable(), factory.lock_agent_references(), factory.lock_prd_references(),
    factory.deleted_agents_are_unreferenced(), factory.deleted_prds_are_unreferenced() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION factory.rows_reference_agents(), factory.rows_reference_prds(),
    factory.id_is_immutable(), factory.lock_agent_references(), factory.lock_prd_references(),
    factory.deleted_agents_are_unreferenced(), factory.deleted_prds_are_unreferenced() TO factory_writer;
