package dev.agentfactory.relay.change;

import java.time.Instant;
import java.util.Map;

/**
 * A committed change of one row of a {@code factory} table. Column values are as Debezium gives them
 * for PostgreSQL (uuid, jsonb and timestamptz as strings, bigint as Long), never the TOAST placeholder.
 *
 * @param before     the old row (REPLICA IDENTITY FULL tables) or null
 * @param after      the new row, null for a delete
 * @param txId       PostgreSQL transaction id, null for snapshot reads
 * @param lsn        LSN of the change; for a snapshot read, the LSN the snapshot was taken at (all its rows)
 * @param commitTime commit time of its transaction
 */
public record RowChange(String table, Op op, Map<String, Object> before, Map<String, Object> after,
                        Long txId, long lsn, Instant commitTime) implements CdcEvent {

    /** The kind of change, from Debezium's {@code op} field. */
    public enum Op {
        INSERT, UPDATE, DELETE, SNAPSHOT;

        static Op of(String code) {
            return switch (code) {
                case "c" -> INSERT;
                case "u" -> UPDATE;
                case "d" -> DELETE;
                case "r" -> SNAPSHOT;
                default -> throw new IllegalArgumentException("unsupported Debezium op '" + code + "'");
            };
        }
    }

    /** The row as it is after the change (the old row for a delete). */
    public Map<String, Object> row() {
        return after != null ? after : before;
    }

    public boolean isDelete() {
        return op == Op.DELETE;
    }
}
