-- One partial list index per table instead of two (issue 4: ingest throughput). Every insert into agents or
-- prds, and every update (each one moves updated_at), added an entry to both (updated_at, id) and
-- (status, updated_at, id) WHERE deleted_at IS NULL; dropping the first saves the ingest worker about 2 µs
-- of database CPU per event (of about 31; one A/B pair of `bin/bench ingest --worker-only`: 2.4).
-- Paired rollback: db/rollback/U4_4__one_live_list_index.sql.
--
-- What it costs readers: little. Lists of one status already used the status index. Lists of any status are
-- now a UNION ALL of one branch per status (store's KeysetList), each a scan of the status index under its own
-- LIMIT, merged by a Merge Append. Merge Append pulls a branch's next row only when it emits that branch's
-- current one, so an unfiltered page reads its rows plus one per other status, plus an index descent per
-- status. A since or text filter can make a branch read many index entries before it finds its rows, as
-- it could with the dropped index. The store's tests check that plan with EXPLAIN, and that the Java status
-- enums list exactly the values the CHECK constraints allow (a status missing from the union would silently
-- drop its rows from lists).
--
-- DROP INDEX only removes catalog entries (the files go at commit), but it takes ACCESS EXCLUSIVE on the table
-- and so waits for every running transaction that touched it, queueing readers behind it; the migration
-- tool's lock_timeout (10s) makes it fail and roll back instead of stalling the service.
DROP INDEX factory.agents_live_updated_idx;
DROP INDEX factory.prds_live_updated_idx;
