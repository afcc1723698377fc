-- Rolls back V1__factory_schema.sql. The roles are cluster-wide and may serve other databases,
-- so they are kept; only what V1 granted in this database is revoked with the schema.
-- CASCADE takes everything in the schema: V1's objects and any added to it by hand (db rollback counts the rows
-- of its tables first). It would also take every object OUTSIDE the schema that depends on one inside (a view in
-- public over factory.agents, a foreign key to it, a function taking a factory type), so db rollback first looks
-- for those and refuses, naming them, while there is any. Never run this by hand: use db rollback --to 0.
DROP SCHEMA IF EXISTS factory CASCADE;
