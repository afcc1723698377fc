-- A copy of the primary's rows (the relay's standby sink, `ops replay`) may move a PRD's status past the
-- lifecycle in one step: a Debezium snapshot after a lost slot (docs/runbooks.md) delivers each PRD at its
-- latest version only, over the standby's older row (v1 draft -> v3 approved), and V1's transition trigger
-- refused that with check_violation on every retry, so the relay never caught up. The rule was already checked
-- where the row was first written; a writer that copies rows says so for its transaction with
-- `SET LOCAL factory.replica_apply = on`, and the check steps aside. Every other session is checked as before.
-- The relay writes the standby as factory_writer in the default session_replication_role, so replica mode
-- (which would skip every trigger, V4_3's comment notwithstanding) is not available to it.
-- Not an access control: any writer may set the variable, as it may already write any status directly
-- through ops or psql; the trigger keeps honest writers from a mistaken transition, and the worker checks the
-- same rule first and never sets it.
-- CREATE OR REPLACE keeps the function's owner and grants; running transactions finish with the old body.
-- Paired rollback: db/rollback/U4_6__replica_apply_skips_status_rule.sql.
CREATE OR REPLACE FUNCTION factory.prds_check_status_transition() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('factory.replica_apply', true) = 'on' THEN
        RETURN NEW;
    END IF;
    IF NOT factory.prd_status_transition_allowed(OLD.status, NEW.status) THEN
        RAISE EXCEPTION 'PRD % cannot move from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
