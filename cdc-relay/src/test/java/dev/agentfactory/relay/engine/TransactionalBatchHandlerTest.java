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
        SourceRecord begin = begin("7:10");
        SourceRecord r1 = row("1", 10);
        SourceRecord r2 = row("2", 10); // same LSN, as rows of one COPY are
        SourceRecord heartbeatInside = heartbeat();
        SourceRecord r3 = row("3", 10);
        SourceRecord end = end("7:14", 3); // Debezium: <xid>:<lsn>, another LSN than BEGIN's

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
        List<RecordChangeEvent<SourceRecord>> batch = events(begin("1"), row("1", 1, body), end("1", 1),
                begin("2"), row("2", 2, body), row("3", 2, body), end("2", 2), begin("3"), row("4", 3, body), end("3", 1));

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

    /**
     * The connector restarted inside the engine (a retriable error) and resumed from the stored offset, before the open
     * transaction T: its first row, buffered before the restart, is not delivered ahead of the transaction streamed
     * again, and T comes again whole. It was delivered as [T1, a]: a partial transaction, out of commit order.
     */
    @Test
    void aStreamResumedInsideATransactionDeliversOnlyWhatWasStreamedAgain() throws Exception {
        TransactionalBatchHandler h = handler();
        h.handleBatch(events(begin("T"), row("T1", 20)), committer);
        SourceRecord end = end("t1", 1);

        h.handleBatch(events(begin("t1"), row("a", 10), end), committer);

        assertThat(delivered).extracting(d -> d.stream().map(c -> c.after().get("id")).toList())
                .containsExactly(List.of("a"));
        assertThat(marked).containsExactly(end);
    }

    /**
     * An END counting other changes than were buffered since its BEGIN: the buffer is not the transaction. Nothing
     * of it is delivered or acknowledged; the engine stops, to start again from the last acknowledged transaction.
     */
    @Test
    void anEndWhoseEventCountIsNotTheBufferedChangesStopsWithoutDeliveringOrAcknowledging() throws Exception {
        TransactionalBatchHandler h = handler();
        assertThatThrownBy(() -> h.handleBatch(events(begin("1"), row("1", 1), end("1", 2)), committer))
                .hasMessageContaining("not streamed whole");
        assertThat(delivered).isEmpty();
        assertThat(marked).isEmpty();

        SourceRecord later = end("2", 1);
        h.handleBatch(events(begin("2"), row("2", 2), later), committer);
        assertThat(delivered).as("nothing of the discarded transaction comes with the next")
                .extracting(d -> d.stream().map(c -> c.after().get("id")).toList()).containsExactly(List.of("2"));
        assertThat(marked).containsExactly(later);
    }

    /**
     * An END of another transaction than the open one (a resumed connector ends the transaction of its stored offset
     * first): the open one is not whole, however many changes the END counts.
     */
    @Test
    void anEndOfAnotherTransactionThanTheOpenOneStopsWithoutDeliveringOrAcknowledging() {
        TransactionalBatchHandler h = handler();
        assertThatThrownBy(() -> h.handleBatch(events(begin("8:20"), row("1", 20), end("7:12", 1)), committer))
                .hasMessageContaining("not streamed whole");
        assertThat(delivered).isEmpty();
        assertThat(marked).isEmpty();
    }

    /**
     * Debezium counts the heartbeat table's rows and logical decoding messages in their transaction's events too, though
     * neither goes to a sink (EngineStreamIT: a transactional message).
     */
    @Test
    void heartbeatTableRowsAndMessagesCountTowardsTheirTransactionsEventCount() throws Exception {
        TransactionalBatchHandler h = handler();
        SourceRecord end = end("1", 2);
        h.handleBatch(events(begin("1"), heartbeatRow(), message(), end), committer);
        assertThat(marked).containsExactly(end);
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
        assertThatThrownBy(() -> h.handleBatch(events(begin("1"), row("1", 1), end("1", 1)), committer));
        assertThat(h.deliveredChanges()).as("a failed delivery").isZero();

        TransactionalBatchHandler next = handler();
        failing = false;
        next.handleBatch(events(begin("1"), row("1", 1), row("2", 1), end("1", 2)), committer);
        assertThat(next.deliveredChanges()).isEqualTo(2);
    }

    @Test
    void aFailingSinkStopsTheBatchWithoutAcknowledgingIt() {
        TransactionalBatchHandler h = handler();
        failing = true;
        assertThatThrownBy(() -> h.handleBatch(events(begin("1"), row("1", 1), end("1", 1)), committer))
                .hasMessageContaining("sink down");
        assertThat(marked).isEmpty();
    }

    @Test
    void anUnchangedToastColumnIsTakenFromTheBeforeImage() throws Exception {
        TransactionalBatchHandler h = handler();
        Struct before = new Struct(ROW).put("id", "1").put("body", "large body");
        Struct after = new Struct(ROW).put("id", "1").put("body", ChangeParser.UNAVAILABLE);
        h.handleBatch(events(begin("1"), change("u", before, after, 5), end("1", 1)), committer);
        assertThat(delivered.get(0).get(0).after()).isEqualTo(Map.of("id", "1", "body", "large body"));
    }

    @Test
    void aToastPlaceholderWithoutBeforeImageIsAnErrorNotASinkValue() {
        TransactionalBatchHandler h = handler();
        Struct after = new Struct(ROW).put("id", "1").put("body", ChangeParser.UNAVAILABLE);
        assertThatThrownBy(() -> h.handleBatch(events(begin("1"), change("u", null, after, 5)), committer))
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

    /** A logical decoding message, as pg_logical_emit_message(true, ...) streams it. */
    private static SourceRecord message() {
        Schema schema = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA).build();
        return new SourceRecord(Map.of(), Map.of(), "f.message", schema, new Struct(schema).put("op", "m"));
    }

    private static SourceRecord heartbeatRow() {
        Struct source = new Struct(SOURCE).put("table", TransactionalBatchHandler.HEARTBEAT_TABLE).put("txId", 8L)
                .put("lsn", 30L).put("ts_ms", 1_700_000_000_000L);
        Struct value = new Struct(ENVELOPE).put("op", "u").put("after", new Struct(ROW).put("id", "1"))
                .put("source", source);
        return new SourceRecord(Map.of(), Map.of("lsn", 30L), "f.factory.cdc_heartbeat", ENVELOPE, value);
    }

    private static SourceRecord change(String op, Struct before, Struct after, long lsn) {
        Struct source = new Struct(SOURCE).put("table", "agents").put("txId", 7L).put("lsn", lsn)
                .put("ts_ms", 1_700_000_000_000L);
        Struct value = new Struct(ENVELOPE).put("op", op).put("before", before).put("after", after)
                .put("source", source);
        return new SourceRecord(Map.of(), Map.of("lsn", lsn), "f.factory.agents", ENVELOPE, value);
    }

    private static SourceRecord begin(String txId) {
        return new SourceRecord(Map.of(), Map.of(), "f.transaction", TX,
                new Struct(TX).put("status", "BEGIN").put("id", txId));
    }

    /** Debezium's END marker: the transaction's id and how many change events it streamed. */
    private static SourceRecord end(String txId, long eventCount) {
        return new SourceRecord(Map.of(), Map.of(), "f.transaction", TX,
                new Struct(TX).put("status", "END").put("id", txId).put("event_count", eventCount));
    }

    private static SourceRecord heartbeat() {
        return new SourceRecord(Map.of(), Map.of(), "__debezium-heartbeat.f", null, null);
    }
}
