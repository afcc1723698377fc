-- Version and history rows checked against their agent or PRD once per statement, not once per row
-- (issue 4: ingest throughput). A foreign key runs one lookup per inserted row and locks the row it finds
-- (FOR KEY SHARE: a heap lock plus a WAL record); the worker inserts its versions 2,000 rows to a COPY,
-- and that check was its largest single database cost. `bin/bench ingest --worker-only`, alternating runs:
-- about 2 us less database CPU per event with these triggers (29.5 against 31.6 us); with no check at all
-- it would be 4.5 us less.
-- Paired rollback: db/rollback/U4_3__statement_level_references.sql.
--
-- What the three foreign keys they replace guaranteed still holds:
--   * inserted or updated agent_versions / agent_history rows name an existing agent, prd_versions rows an
--     existing PRD (checked after each statement, over its transition table);
--   * an agent or PRD with versions or history can be neither deleted nor truncated away, and ids never change.
-- How, without a foreign key's row locks:
--   * READ COMMITTED writers (the worker, the store, ops) take no row lock. A DELETE of agents or prds first
--     takes SHARE locks on the tables that reference them, so it waits for transactions inserting there and
--     holds new ones off until it ends; its check then sees every committed row. Deletes are rare and only
--     the owner may run them (the app deletes softly), but while one waits for or holds those locks, ingest
--     into the referencing tables waits too: the lock wait is capped at 5 s, and a worker transaction that
--     holds a row lock the delete then needs ends in a deadlock error, which the worker retries.
--   * Under REPEATABLE READ or SERIALIZABLE a transaction's snapshot can predate a concurrent delete, so a
--     writer locks the parents FOR KEY SHARE as a foreign key does (a parent deleted meanwhile fails with a
--     serialization error), and deletes of agents or prds are refused.
--   * The functions run as their owner (SECURITY DEFINER), as a foreign key's check does: the check sees
--     every row whatever the caller's row-level security, and the caller needs no lock rights of its own.
-- Like the keys, the triggers do not fire in replica mode (session_replication_role = replica), which is
-- how the relay applies rows to the standby. One function per parent table rather than one taking the table
-- as an argument: PL/pgSQL caches the plans of static queries, which matters to one-row-at-a-time writers.

ALTER TABLE factory.agent_versions DROP CONSTRAINT agent_versions_agent_id_fkey;
ALTER TABLE factory.agent_history DROP CONSTRAINT agent_history_agent_id_fkey;
ALTER TABLE factory.prd_versions DROP CONSTRAINT prd_versions_prd_id_fkey;

CREATE FUNCTION factory.rows_reference_agents() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    missing uuid;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        PERFORM FROM factory.agents a WHERE a.id IN (SELECT n.agent_id FROM new_rows n) FOR KEY SHARE;
    END IF;
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
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    missing uuid;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        PERFORM FROM factory.prds p WHERE p.id IN (SELECT n.prd_id FROM new_rows n) FOR KEY SHARE;
    END IF;
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
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
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

-- Before a DELETE: refuse it outside READ COMMITTED, then take the SHARE locks. Before a TRUNCATE: nothing
-- (TRUNCATE agents, agent_versions is legitimate). After either: no referencing row may be left behind.
CREATE FUNCTION factory.agents_stay_referenced() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    referenced uuid;
    waited text;
BEGIN
    IF TG_WHEN = 'BEFORE' THEN
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'delete from table "agents" only under READ COMMITTED'
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Its reference check must see rows committed after this transaction began.';
        END IF;
        waited := current_setting('lock_timeout');
        PERFORM set_config('lock_timeout', '5s', true);
        LOCK TABLE factory.agent_versions, factory.agent_history IN SHARE MODE;
        PERFORM set_config('lock_timeout', waited, true);
    ELSIF TG_OP = 'TRUNCATE' THEN
        referenced := coalesce((SELECT agent_id FROM factory.agent_versions LIMIT 1),
                               (SELECT agent_id FROM factory.agent_history LIMIT 1));
    ELSE
        SELECT o.id INTO referenced FROM old_rows o
        WHERE EXISTS (SELECT FROM factory.agent_versions v WHERE v.agent_id = o.id)
           OR EXISTS (SELECT FROM factory.agent_history h WHERE h.agent_id = o.id) LIMIT 1;
    END IF;
    IF referenced IS NOT NULL THEN
        RAISE EXCEPTION '% on table "agents" violates the references of its versions and history', lower(TG_OP)
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced.', referenced);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION factory.prds_stay_referenced() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    referenced uuid;
    waited text;
BEGIN
    IF TG_WHEN = 'BEFORE' THEN
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'delete from table "prds" only under READ COMMITTED'
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Its reference check must see rows committed after this transaction began.';
        END IF;
        waited := current_setting('lock_timeout');
        PERFORM set_config('lock_timeout', '5s', true);
        LOCK TABLE factory.prd_versions IN SHARE MODE;
        PERFORM set_config('lock_timeout', waited, true);
    ELSIF TG_OP = 'TRUNCATE' THEN
        referenced := (SELECT prd_id FROM factory.prd_versions LIMIT 1);
    ELSE
        SELECT o.id INTO referenced FROM old_rows o
        WHERE EXISTS (SELECT FROM factory.prd_versions v WHERE v.prd_id = o.id) LIMIT 1;
    END IF;
    IF referenced IS NOT NULL THEN
        RAISE EXCEPTION '% on table "prds" violates the references of its versions', lower(TG_OP)
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced.', referenced);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_delete_locks_references BEFORE DELETE ON factory.agents
    FOR EACH STATEMENT EXECUTE FUNCTION factory.agents_stay_referenced();
CREATE TRIGGER agents_delete_keeps_references AFTER DELETE ON factory.agents
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.agents_stay_referenced();
CREATE TRIGGER agents_truncate_keeps_references AFTER TRUNCATE ON factory.agents
    FOR EACH STATEMENT EXECUTE FUNCTION factory.agents_stay_referenced();
CREATE TRIGGER prds_delete_locks_references BEFORE DELETE ON factory.prds
    FOR EACH STATEMENT EXECUTE FUNCTION factory.prds_stay_referenced();
CREATE TRIGGER prds_delete_keeps_references AFTER DELETE ON factory.prds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION factory.prds_stay_referenced();
CREATE TRIGGER prds_truncate_keeps_references AFTER TRUNCATE ON factory.prds
    FOR EACH STATEMENT EXECUTE FUNCTION factory.prds_stay_referenced();

-- Nobody calls these directly (EXECUTE is checked when a trigger is created, not when it fires); as in V1,
-- functions are not left executable by PUBLIC.
REVOKE EXECUTE ON FUNCTION factory.rows_reference_agents(), factory.rows_reference_prds(),
    factory.id_is_immutable(), factory.agents_stay_referenced(), factory.prds_stay_referenced() FROM PUBLIC;
