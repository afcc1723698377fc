package dev.agentfactory.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import dev.agentfactory.relay.CdcProperties;
import dev.agentfactory.relay.TestCdcProperties;
import dev.agentfactory.relay.change.ChangeParser;
import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.relay.sink.Sink;
import dev.agentfactory.relay.sink.SinkDispatcher;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class TransactionalBatchHandlerTest {

    static final Schema ROW = SchemaBuilder.struct().optional().field("id", Schema.STRING_SCHEMA)
            .field("body", Schema.OPTIONAL_STRING_SCHEMA).build();
    static final Schema SOURCE = SchemaBuilder.struct().field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA).field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA).build();
    static final Schema ENVELOPE = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA).field("before", ROW)
            .field("after", ROW).field("source", SOURCE).build();
    static final Schema TX = SchemaBuilder.struct().field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA).field("event_count", Schema.OPTIONAL_INT64_SCHEMA).build();

    final List<List<RowChange>> delivered = new ArrayList<>();
    final List<SourceRecord> marked = new ArrayList<>();
    boolean failing;

    final Sink sink = new Sink() {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public void apply(List<RowChange> changes) {
            if (failing) {
                throw new IllegalStateException("sink down");
            }
            delivered.add(List.copyOf(changes));
        }
    };

    final DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer = new DebeziumEngine.RecordCommitter<>() {
        @Override
        public void markProcessed(RecordChangeEvent<SourceRecord> record) {
            marked.add(record.record());
        }

        @Override
        public void markBatchFinished() {
        }

        @Override
        public void markProcessed(RecordChangeEvent<SourceRecord> record, DebeziumEngine.Offsets offsets) {
            marked.add(record.record());
        }

        @Override
        public DebeziumEngine.Offsets buildOffsets() {
            return null;
        }
    };

    TransactionalBatchHandler handler() {
        return handler(Long.MAX_VALUE);
    }

    TransactionalBatchHandler handler(long maxGroupBytes) {
        CdcProperties props = TestCdcProperties.with(Map.of("sink-timeout", "1s", "sink-attempts", "2",
                "retry-backoff", "1ms"));
        return new TransactionalBatchHandler(new ChangeParser("f"),
                new SinkDispatcher(List.of(sink), Executors.newCachedThreadPool(), props, new SimpleMeterRegistry()),
                10_000, maxGroupBytes);
    }

    @Test
    void aTransactionSplitAcrossBatchesIsDeliveredWholeAndOnlyItsEndIsAcknowledged() throws Exception {
        TransactionalBatchHandler h = handler();
        SourceRecord begin = tx("BEGIN");
        SourceRecord r1 = row("1", 10);
        SourceRecord r2 = row("2", 10); // same LSN, as rows of one COPY are
        SourceRecord heartbeatInside = heartbeat();
        SourceRecord r3 = row("3", 10);
        SourceRecord end = tx("END");

        h.handleBatch(events(begin, r1, r2, heartbeatInside), committer);
        assertThat(delivered).isEmpty();
        assertThat(marked).as("no offset may be stored inside a transaction").isEmpty();

        h.handleBatch(events(r3, end), committer);
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0)).extracting(c -> c.after().get("id")).containsExactly("1", "2", "3");
        assertThat(marked).containsExactly(end);
    }

    @Test
    void smallTransactionsOfOneBatchAreDeliveredTogetherUpToTheByteBoundAndNoneIsSplit() throws Exception {
        String body = "x".repeat(10_000);
        List<RecordChangeEvent<SourceRecord>> batch = events(tx("BEGIN"), row("1", 1, body), tx("END"),
                tx("BEGIN"), row("2", 2, body), row("3", 2, body), tx("END"), tx("BEGIN"), row("4", 3, body), tx("END"));

        handler(Long.MAX_VALUE).handleBatch(batch, committer);
        assertThat(delivered).as("within the bound: one delivery").hasSize(1);

        delivered.clear();
        handler(15_000).handleBatch(batch, committer);
        assertThat(delivered).as("a delivery ends at the transaction end that passes 15,000 bytes")
                .extracting(d -> d.stream().map(c -> c.after().get("id")).toList())
                .containsExactly(List.of("1", "2", "3"), List.of("4"));

        delivered.clear();
        handler(1).handleBatch(batch, committer);
        assertThat(delivered).as("each transaction alone, whole").extracting(List::size).containsExactly(1, 2, 1);
    }

    @Test
    void aHeartbeatBetweenTransactionsIsAcknowledged() throws Exception {
        TransactionalBatchHandler h = handler();
        SourceRecord hb = heartbeat();
        h.handleBatch(events(hb), committer);
        assertThat(marked).containsExactly(hb);
        assertThat(delivered).as("an idle relay's sinks still get a call to check their destinations")
                .containsExactly(List.of());
    }

    /** What resets the restart backoff: changes the sinks took, not heartbeats nor a delivery that failed. */
    @Test
    void onlyChangesTheSinksTookCountAsProgress() throws Exception {
        TransactionalBatchHandler h = handler();
        h.handleBatch(events(heartbeat()), committer);
        assertThat(h.deliveredChanges()).as("a heartbeat").isZero();
        failing = true;
        assertThatThrownBy(() -> h.handleBatch(events(tx("BEGIN"), row("1", 1), tx("END")), committer));
        assertThat(h.deliveredChanges()).as("a failed delivery").isZero();

        TransactionalBatchHandler next = handler();
        failing = false;
        next.handleBatch(events(tx("BEGIN"), row("1", 1), row("2", 1), tx("END")), committer);
        assertThat(next.deliveredChanges()).isEqualTo(2);
    }

    @Test
    void aFailingSinkStopsTheBatchWithoutAcknowledgingIt() {
        TransactionalBatchHandler h = handler();
        failing = true;
        assertThatThrownBy(() -> h.handleBatch(events(tx("BEGIN"), row("1", 1), tx("END")), committer))
                .hasMessageContaining("sink down");
        assertThat(marked).isEmpty();
    }

    @Test
    void anUnchangedToastColumnIsTakenFromTheBeforeImage() throws Exception {
        TransactionalBatchHandler h = handler();
        Struct before = new Struct(ROW).put("id", "1").put("body", "large body");
        Struct after = new Struct(ROW).put("id", "1").put("body", ChangeParser.UNAVAILABLE);
        h.handleBatch(events(tx("BEGIN"), change("u", before, after, 5), tx("END")), committer);
        assertThat(delivered.get(0).get(0).after()).isEqualTo(Map.of("id", "1", "body", "large body"));
    }

    @Test
    void aToastPlaceholderWithoutBeforeImageIsAnErrorNotASinkValue() {
        TransactionalBatchHandler h = handler();
        Struct after = new Struct(ROW).put("id", "1").put("body", ChangeParser.UNAVAILABLE);
        assertThatThrownBy(() -> h.handleBatch(events(tx("BEGIN"), change("u", null, after, 5)), committer))
                .hasMessageContaining("REPLICA IDENTITY FULL");
        assertThat(delivered).isEmpty();
    }

    private static List<RecordChangeEvent<SourceRecord>> events(SourceRecord... records) {
        List<RecordChangeEvent<SourceRecord>> out = new ArrayList<>();
        for (SourceRecord r : records) {
            out.add(() -> r);
        }
        return out;
    }

    private static SourceRecord row(String id, long lsn) {
        return change("c", null, new Struct(ROW).put("id", id), lsn);
    }

    private static SourceRecord row(String id, long lsn, String body) {
        return change("c", null, new Struct(ROW).put("id", id).put("body", body), lsn);
    }

    private static SourceRecord change(String op, Struct before, Struct after, long lsn) {
        Struct source = new Struct(SOURCE).put("table", "agents").put("txId", 7L).put("lsn", lsn)
                .put("ts_ms", 1_700_000_000_000L);
        Struct value = new Struct(ENVELOPE).put("op", op).put("before", before).put("after", after)
                .put("source", source);
        return new SourceRecord(Map.of(), Map.of("lsn", lsn), "f.factory.agents", ENVELOPE, value);
    }

    private static SourceRecord tx(String status) {
        Struct value = new Struct(TX).put("status", status).put("id", "7:10")
                .put("event_count", status.equals("END") ? 3L : null);
        return new SourceRecord(Map.of(), Map.of(), "f.transaction", TX, value);
    }

    private static SourceRecord heartbeat() {
        return new SourceRecord(Map.of(), Map.of(), "__debezium-heartbeat.f", null, null);
    }
}
