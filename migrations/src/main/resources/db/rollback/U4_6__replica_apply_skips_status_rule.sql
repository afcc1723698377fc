-- Rollback of V4_6: V1's body of the status-transition check again (copied verbatim, so the catalog
-- fingerprint matches V4_5's). A relay or replay that still sets factory.replica_apply is then checked again.
CREATE OR REPLACE FUNCTION factory.prds_check_status_transition() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NOT factory.prd_status_transition_allowed(OLD.status, NEW.status) THEN
        RAISE EXCEPTION 'PRD % cannot move from % to %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
