-- Rolls back V4_4__one_live_list_index.sql: the (updated_at, id) list indexes, exactly as V1 created them.
-- Rollbacks run in a transaction, so not CONCURRENTLY: each build holds a SHARE lock (writes wait, reads do not)
-- for about a second per million live rows.
CREATE INDEX agents_live_updated_idx ON factory.agents (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX prds_live_updated_idx ON factory.prds (updated_at, id) WHERE deleted_at IS NULL;
