-- Rolls back V4_1__writer_bypassrls.sql. Cluster-wide, like the forward script: workers on any database of
-- this cluster notice at their next batch and append with INSERT instead of COPY.
DO $$
BEGIN
    ALTER ROLE factory_writer NOBYPASSRLS;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'factory_writer attributes unchanged (%)', SQLERRM;
END
$$;
