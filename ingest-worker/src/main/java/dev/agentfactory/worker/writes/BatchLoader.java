package dev.agentfactory.worker.writes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.agentfactory.contracts.WriteOutcome.Status;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads what a batch needs in a handful of statements: prior outcomes of its eventIds, the rows of the
 * entities it writes (locked in id order, so concurrent workers never deadlock on them), agents its
 * links point to, taken slugs and current links.
 */
final class BatchLoader {

    static final String SELECT_PROCESSED = "SELECT event_id, outcome, version, reason FROM factory.processed_events "
            + "WHERE event_id = ANY(?::uuid[])";
    static final String AGENT_COLUMNS = "id, slug, name, kind, status, config::text, state::text, metadata::text, "
            + "version, created_at, created_by, updated_at, updated_by, deleted_at";
    /**
     * FOR NO KEY UPDATE, not FOR UPDATE: a link to an agent, inserted by another consumer thread's batch, takes
     * FOR KEY SHARE on it (prd_agents' foreign key), which FOR UPDATE blocks and FOR NO KEY UPDATE does not. With
     * FOR UPDATE two batches that each changed an agent the other linked to deadlocked (40P01) and were retried.
     * It still excludes every other writer of the row. The worker never changes a key column (id, slug: its upserts
     * do not set them, and deletes are soft), so its UPDATE needs no stronger lock; a write that did change one
     * would upgrade its own lock to FOR UPDATE, waiting for the links being inserted, which is correct.
     */
    static final String LOCK_AGENTS = "SELECT " + AGENT_COLUMNS + " FROM factory.agents WHERE id = ANY(?::uuid[]) "
            + "ORDER BY id FOR NO KEY UPDATE";
    /** Agents a link points to: whether each exists and is deleted is all the rules ask ({@code PrdRules}). */
    static final String SELECT_LINKED_AGENTS = "SELECT id, deleted_at FROM factory.agents WHERE id = ANY(?::uuid[])";
    /** FOR NO KEY UPDATE as {@link #LOCK_AGENTS}: prd_agents' foreign key to prds takes FOR KEY SHARE too. */
    static final String LOCK_PRDS = "SELECT id, slug, title, body, status, metadata::text, owner, version, created_at, "
            + "created_by, updated_at, updated_by, deleted_at FROM factory.prds WHERE id = ANY(?::uuid[]) "
            + "ORDER BY id FOR NO KEY UPDATE";
    static final String SELECT_LINKS = "SELECT prd_id, agent_id, role, linked_at, linked_by FROM factory.prd_agents "
            + "WHERE prd_id = ANY(?::uuid[])";
    static final String SELECT_AGENT_SLUGS = "SELECT slug, id FROM factory.agents WHERE slug = ANY(?::text[])";
    static final String SELECT_PRD_SLUGS = "SELECT slug, id FROM factory.prds WHERE slug = ANY(?::text[])";

    /**
     * Rows fetched per round trip for entity rows (a cursor within the transaction): pgjdbc otherwise reads a whole
     * result set before the first row, so the batch budget ({@link LoadedChars}) could only be checked once every
     * row was in memory. Past the budget, at most this many rows more are held.
     */
    static final int ENTITY_FETCH_ROWS = 100;

    private final Snapshots snapshots = new Snapshots();

    void loadProcessed(Connection c, Collection<UUID> eventIds, BatchState s) throws SQLException {
        query(c, SELECT_PROCESSED, new ArrayList<>(eventIds), "uuid", rs -> s.processed.put(rs.getObject(1, UUID.class),
                new BatchState.Prior(Status.valueOf(rs.getString(2)), (Long) rs.getObject(3), rs.getString(4))));
    }

    /** Locks and loads the agents a batch writes, counting their JSON text in {@code loaded}. */
    void loadAgents(Connection c, Collection<UUID> ids, Map<UUID, AgentRow> into, LoadedChars loaded)
            throws SQLException {
        query(c, LOCK_AGENTS, sorted(ids), "uuid", ENTITY_FETCH_ROWS, rs -> {
            AgentRow a = new AgentRow(rs.getObject(1, UUID.class));
            a.stored = true;
            a.slug = rs.getString(2);
            a.name = rs.getString(3);
            a.kind = rs.getString(4);
            a.status = rs.getString(5);
            a.config = column(rs.getString(6), a.configText, loaded);
            a.state = column(rs.getString(7), a.stateText, loaded);
            a.metadata = column(rs.getString(8), a.metadataText, loaded);
            a.version = rs.getLong(9);
            a.createdAt = instant(rs, 10);
            a.createdBy = rs.getString(11);
            a.updatedAt = instant(rs, 12);
            a.updatedBy = rs.getString(13);
            a.deletedAt = instant(rs, 14);
            into.put(a.id, a);
        });
    }

    /**
     * Agents only linked to, not written: not locked, and only their id and deletion are read (their JSON columns,
     * up to an entity's limit each, were loaded for nothing).
     */
    void loadLinkedAgents(Connection c, Collection<UUID> ids, Map<UUID, AgentRow> into) throws SQLException {
        query(c, SELECT_LINKED_AGENTS, sorted(ids), "uuid", 0, rs -> {
            AgentRow a = new AgentRow(rs.getObject(1, UUID.class));
            a.stored = true;
            a.deletedAt = instant(rs, 2);
            into.put(a.id, a);
        });
    }

    /** Locks and loads the PRDs a batch writes and their links, counting their body and JSON text in {@code loaded}. */
    void loadPrds(Connection c, Collection<UUID> ids, BatchState s, LoadedChars loaded) throws SQLException {
        query(c, LOCK_PRDS, sorted(ids), "uuid", ENTITY_FETCH_ROWS, rs -> {
            PrdRow p = new PrdRow(rs.getObject(1, UUID.class));
            p.slug = rs.getString(2);
            p.title = rs.getString(3);
            p.body = rs.getString(4);
            loaded.add(p.body);
            p.status = rs.getString(5);
            p.metadata = column(rs.getString(6), p.metadataText, loaded);
            p.owner = rs.getString(7);
            p.version = rs.getLong(8);
            p.createdAt = instant(rs, 9);
            p.createdBy = rs.getString(10);
            p.updatedAt = instant(rs, 11);
            p.updatedBy = rs.getString(12);
            p.deletedAt = instant(rs, 13);
            s.prds.put(p.id, p);
        });
        query(c, SELECT_LINKS, new ArrayList<>(s.prds.keySet()), "uuid", rs -> s.prds.get(rs.getObject(1, UUID.class))
                .links.put(rs.getObject(2, UUID.class),
                        new PrdRow.Link(rs.getString(3), instant(rs, 4), rs.getString(5))));
        for (PrdRow p : s.prds.values()) {
            p.loadedLinks = new HashMap<>(p.links);
        }
    }

    void loadSlugs(Connection c, Collection<String> agentSlugs, Collection<String> prdSlugs, BatchState s)
            throws SQLException {
        query(c, SELECT_AGENT_SLUGS, new ArrayList<>(agentSlugs), "text",
                rs -> s.agentSlugs.put(rs.getString(1), rs.getObject(2, UUID.class)));
        query(c, SELECT_PRD_SLUGS, new ArrayList<>(prdSlugs), "text",
                rs -> s.prdSlugs.put(rs.getString(1), rs.getObject(2, UUID.class)));
    }

    private ObjectNode column(String json, Snapshots.Memo memo, LoadedChars loaded) {
        loaded.add(json);
        ObjectNode value = snapshots.object(json);
        memo.seed(value, json);
        return value;
    }

    private interface RowHandler {
        void accept(ResultSet rs) throws SQLException;
    }

    private static void query(Connection c, String sql, List<?> keys, String pgType, RowHandler handler)
            throws SQLException {
        query(c, sql, keys, pgType, 0, handler);
    }

    /** @param fetchRows rows per round trip, 0 for the whole result at once */
    private static void query(Connection c, String sql, List<?> keys, String pgType, int fetchRows,
                              RowHandler handler) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(fetchRows);
            ps.setArray(1, c.createArrayOf(pgType, keys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    handler.accept(rs);
                }
            }
        }
    }

    private static List<UUID> sorted(Collection<UUID> ids) {
        List<UUID> list = new ArrayList<>(ids);
        list.sort(null);
        return list;
    }

    /** In PostgreSQL's proleptic Gregorian calendar: {@code getTimestamp} is Julian before 1582-10-15. */
    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
