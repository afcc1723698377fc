-- Rolls back V1__factory_schema.sql. The roles are cluster-wide and may serve other databases,
-- so they are kept; only what V1 granted in this database is revoked with the schema.
DROP SCHEMA IF EXISTS factory CASCADE;
