package dev.agentfactory.relay.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.store.replica.EntityPurge;
import dev.agentfactory.store.replica.TableSpec;

/**
 * Frees on the standby the slugs a snapshot's agent and PRD rows take. After a lost slot the relay starts over with a
 * snapshot, which carries no deletes: an agent or PRD an operator purged meanwhile stays on the standby, and when a
 * new one took its slug the new one's row was refused ({@code agents_slug_unique} / {@code prds_slug_unique}, 23505)
 * at every retry. A snapshot is a consistent image of the primary, so a standby row holding a snapshot row's slug
 * under another id is no longer there: it is removed with what a purge removes ({@link EntityPurge}), in the standby
 * transaction that applies the snapshot rows and before any of them, and it gets a purge floor as a purge would.
 * Streamed changes never do this: the worker never changes a slug, so a streamed row refused on its slug means
 * something else is wrong, and the sink keeps failing on it.
 */
final class SnapshotSlugHolders {

    static final String AGENT_HOLDERS_SQL = "SELECT s.id::text, n.id::text, s.slug FROM factory.agents s "
            + "JOIN unnest(?::text[], ?::uuid[]) AS n(slug, id) ON s.slug = n.slug WHERE s.id <> n.id";
    static final String PRD_HOLDERS_SQL = "SELECT s.id::text, n.id::text, s.slug FROM factory.prds s "
            + "JOIN unnest(?::text[], ?::uuid[]) AS n(slug, id) ON s.slug = n.slug WHERE s.id <> n.id";

    /** An entity table and how to find the holders of given slugs in it. */
    private record Kind(TableSpec table, String noun, String dependants, String holdersSql) {
    }

    private static final List<Kind> KINDS = List.of(
            new Kind(TableSpec.AGENTS, "agent", "versions, history, links and audit rows", AGENT_HOLDERS_SQL),
            new Kind(TableSpec.PRDS, "PRD", "versions, links and audit rows", PRD_HOLDERS_SQL));

    private static final Logger log = LoggerFactory.getLogger(SnapshotSlugHolders.class);

    private SnapshotSlugHolders() {
    }

    /**
     * Removes every agent or PRD that holds, under another id, the slug of one of the snapshot rows among the changes,
     * and records its purge floor. One query per entity table that has snapshot rows, and one statement per table
     * removed from; nothing at all for a delivery without snapshot rows.
     */
    static void free(Connection c, List<RowChange> changes) throws SQLException {
        for (Kind kind : KINDS) {
            Map<String, RowChange> bySlug = snapshotRowsBySlug(changes, kind.table());
            if (!bySlug.isEmpty()) {
                free(c, kind, bySlug);
            }
        }
    }

    private static void free(Connection c, Kind kind, Map<String, RowChange> bySlug) throws SQLException {
        List<String> holders = new ArrayList<>();
        Map<String, Long> floors = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(kind.holdersSql())) {
            ps.setArray(1, c.createArrayOf("text", bySlug.keySet().toArray()));
            ps.setArray(2, c.createArrayOf("text",
                    bySlug.values().stream().map(r -> Rows.str(r.row(), "id")).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String holder = rs.getString(1);
                    String taker = rs.getString(2);
                    String slug = rs.getString(3);
                    long floor = floorFor(bySlug.get(slug));
                    holders.add(holder);
                    floors.put(holder, floor);
                    log.warn("standby: the snapshot's {} {} takes slug '{}', which the standby gives to {} {}, "
                            + "no longer on the primary (purged before the snapshot): removing {} {} with its {} "
                            + "(purge floor at LSN {})", kind.noun(), taker, slug, kind.noun(), holder, kind.noun(),
                            holder, kind.dependants(), floor);
                }
            }
        }
        if (holders.isEmpty()) {
            return;
        }
        EntityPurge.delete(c, kind.table().name(), holders);
        PurgeFloors.record(c, kind.table().name(), floors);
    }

    /**
     * The purge floor of an entity removed for {@code taker}: just below the snapshot's LSN. Debezium gives every
     * snapshot row the LSN the snapshot was taken at (the slot's consistent point when it creates the slot, else
     * the primary's WAL position then), and the purge committed before it, so every change of the removed entity is
     * at or below the floor and is skipped if delivered again (a relay that lost its lock; an {@code ops} replay of
     * the audit topics). Not at the LSN itself: a floor covers changes at or below it, and the snapshot may still
     * hold the id as an entity created again under it (a new incarnation, with another slug), whose rows carry that
     * LSN and must apply, as must anything streamed after the snapshot. (Only a change of a transaction in flight
     * at the snapshot point that created the removed id again could lie below the floor: the true floor, the
     * purge's own LSN, is not known any more.)
     */
    private static long floorFor(RowChange taker) {
        return taker.lsn() - 1;
    }

    /**
     * The changes' snapshot rows of {@code table} by slug (unique on the primary, hence within one snapshot); a row
     * without an LSN (Debezium always gives one) is left out, as no floor could be placed for what it displaces.
     */
    private static Map<String, RowChange> snapshotRowsBySlug(List<RowChange> changes, TableSpec table) {
        Map<String, RowChange> bySlug = new LinkedHashMap<>();
        for (RowChange change : changes) {
            if (change.op() == RowChange.Op.SNAPSHOT && change.table().equals(table.name()) && change.lsn() > 0) {
                bySlug.put(Rows.str(change.row(), "slug"), change);
            }
        }
        return bySlug;
    }
}
