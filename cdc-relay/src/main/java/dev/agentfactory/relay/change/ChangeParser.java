package dev.agentfactory.relay.change;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium's Connect records into {@link CdcEvent}s. Unchanged TOASTed columns of an update are
 * taken from the before-image (REPLICA IDENTITY FULL); a placeholder that cannot be resolved is an error,
 * never passed on to a sink.
 */
public final class ChangeParser {

    /** The value set as Debezium's {@code unavailable.value.placeholder}. */
    public static final String UNAVAILABLE = "__debezium_unavailable_value";

    private final String transactionTopic;

    public ChangeParser(String topicPrefix) {
        this.transactionTopic = topicPrefix + ".transaction";
    }

    public CdcEvent parse(SourceRecord record) {
        String topic = record.topic();
        Object value = record.value();
        if (topic.startsWith("__debezium-heartbeat")) {
            return new CdcEvent.Heartbeat();
        }
        if (!(value instanceof Struct struct)) {
            return new CdcEvent.Other(topic);
        }
        if (topic.equals(transactionTopic)) {
            String status = struct.getString("status");
            return "BEGIN".equals(status) ? new CdcEvent.TxBegin(struct.getString("id"))
                    : new CdcEvent.TxEnd(struct.getString("id"), struct.getInt64("event_count"));
        }
        // "m": a logical decoding message (pg_logical_emit_message by any session of the database; pgoutput
        // sends them on PostgreSQL 14+); not a row change, and failing on it would stop the relay for good
        if (struct.schema().field("op") == null || "m".equals(struct.getString("op"))) {
            return new CdcEvent.Other(topic);
        }
        Struct source = struct.getStruct("source");
        RowChange.Op op = RowChange.Op.of(struct.getString("op"));
        Map<String, Object> before = toMap(struct.getStruct("before"));
        Map<String, Object> after = toMap(struct.getStruct("after"));
        String table = source.getString("table");
        resolveUnavailable(table, before, after);
        Long lsn = source.getInt64("lsn");
        return new RowChange(table, op, before, after, source.getInt64("txId"), lsn == null ? 0 : lsn,
                Instant.ofEpochMilli(source.getInt64("ts_ms")));
    }

    private static Map<String, Object> toMap(Struct row) {
        if (row == null) {
            return null;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Field f : row.schema().fields()) {
            map.put(f.name(), row.get(f));
        }
        return map;
    }

    private static void resolveUnavailable(String table, Map<String, Object> before, Map<String, Object> after) {
        if (after == null) {
            return;
        }
        for (Map.Entry<String, Object> e : after.entrySet()) {
            if (UNAVAILABLE.equals(e.getValue())) {
                Object old = before == null ? null : before.get(e.getKey());
                if (old == null || UNAVAILABLE.equals(old)) {
                    throw new IllegalStateException("unchanged TOAST column " + table + "." + e.getKey()
                            + " has no before-image value: the table needs REPLICA IDENTITY FULL");
                }
                e.setValue(old);
            }
        }
        if (before != null && before.containsValue(UNAVAILABLE)) {
            throw new IllegalStateException("before-image of " + table + " holds an unavailable TOAST value");
        }
    }
}
