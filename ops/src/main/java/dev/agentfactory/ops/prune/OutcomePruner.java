package dev.agentfactory.ops.prune;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Deletes the dedup records of UUIDv7 eventIds minted before the cut, walking the primary key upwards from the
 * lowest id in keyset batches; each batch is one statement in its own transaction, so a prune of millions of rows
 * holds no long transaction, locks only the rows of a batch and can be stopped and started again at any time.
 * Rows of other UUID versions (whose bits say nothing about time) are kept, and so are v7 rows processed after the
 * cut time (a producer clock behind), since their records may still be in Kafka.
 */
final class OutcomePruner {

    /** The RFC 9562 version (high nibble of byte 6) and variant (high two bits of byte 8, {@code 10}). */
    private static final String IS_UUID_V7 =
            "(get_byte(uuid_send(event_id), 6) >> 4) = 7 AND (get_byte(uuid_send(event_id), 8) >> 6) = 2";

    /** One batch of the key range (after, bound), classified. Parameters: after, bound, batch size, cut time. */
    static final String BATCH = """
            WITH batch AS (
                SELECT event_id, processed_at
                  FROM factory.processed_events
                 WHERE event_id > ? AND event_id < ?
                 ORDER BY event_id
                 LIMIT ?
            ), classified AS (
                SELECT event_id, (%s) AS v7, processed_at < ? AS processed_before_cut FROM batch
            ), doomed AS (
                SELECT event_id FROM classified WHERE v7 AND processed_before_cut
            )""".formatted(IS_UUID_V7);

    /** Deletes the batch's old v7 rows; returns the batch's last key and its counts. */
    static final String DELETE_BATCH = BATCH + """
            , gone AS (
                DELETE FROM factory.processed_events p USING doomed d WHERE p.event_id = d.event_id
                RETURNING p.event_id
            )
            SELECT (SELECT event_id FROM batch ORDER BY event_id DESC LIMIT 1),
                   (SELECT count(*) FROM gone),
                   (SELECT count(*) FROM classified WHERE NOT v7),
                   (SELECT count(*) FROM classified WHERE v7 AND NOT processed_before_cut)""";

    /** The same batch, counted only. */
    static final String COUNT_BATCH = BATCH + """
            SELECT (SELECT event_id FROM batch ORDER BY event_id DESC LIMIT 1),
                   (SELECT count(*) FROM doomed),
                   (SELECT count(*) FROM classified WHERE NOT v7),
                   (SELECT count(*) FROM classified WHERE v7 AND NOT processed_before_cut)""";

    /** What a prune did (or, in a dry run, would do). */
    record Result(long pruned, long notV7, long processedAfterCut, long batches) {
    }

    private OutcomePruner() {
    }

    static Result prune(Connection c, Cut cut, int batchSize, boolean dryRun) throws SQLException {
        c.setAutoCommit(true);
        UUID after = new UUID(0, 0);
        long pruned = 0;
        long notV7 = 0;
        long recent = 0;
        long batches = 0;
        try (PreparedStatement st = c.prepareStatement(dryRun ? COUNT_BATCH : DELETE_BATCH)) {
            while (true) {
                st.setObject(1, after);
                st.setObject(2, cut.bound());
                st.setInt(3, batchSize);
                st.setObject(4, OffsetDateTime.ofInstant(cut.time(), ZoneOffset.UTC));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    UUID last = rs.getObject(1, UUID.class);
                    if (last == null) {
                        return new Result(pruned, notV7, recent, batches);
                    }
                    batches++;
                    pruned += rs.getLong(2);
                    notV7 += rs.getLong(3);
                    recent += rs.getLong(4);
                    after = last;
                }
            }
        }
    }
}
