-- Rolls back V4_2__cheaper_slug_checks.sql: the original (equivalent, slower) form of the slug checks.
ALTER TABLE factory.agents DROP CONSTRAINT agents_slug_format,
    ADD CONSTRAINT agents_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,99}$');
ALTER TABLE factory.prds DROP CONSTRAINT prds_slug_format,
    ADD CONSTRAINT prds_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,99}$');
