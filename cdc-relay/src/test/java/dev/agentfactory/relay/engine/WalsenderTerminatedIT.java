package dev.agentfactory.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.relay.CdcProperties;
import dev.agentfactory.relay.TestCdcProperties;
import dev.agentfactory.relay.change.ChangeParser;
import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.relay.sink.Sink;
import dev.agentfactory.relay.sink.SinkDispatcher;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The relay's walsender ended by the primary while transactions stream (an operator's pg_terminate_backend, a primary
 * shutting down): every delivery still holds whole transactions in commit order. Debezium used to restart its
 * connector inside the engine (errors.max.retries=3) under the same batch consumer, which delivered the interrupted
 * transaction's first part ahead of the transactions streamed again.
 */
@ExtendWith(LocalStackExtension.class)
class WalsenderTerminatedIT {

    private static final int TRANSACTIONS = 60;
    private static final int ROWS = 150;

    private final String suffix = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    private final String db = "it_walsender_" + suffix;
    private final String slot = db;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<List<RowChange>> deliveries = new CopyOnWriteArrayList<>();
    private StackEndpoints endpoints;
    private LocalStack stack;
    private RelayRunner runner;

    @BeforeEach
    void setUp(StackEndpoints endpoints, LocalStack stack) {
        this.endpoints = endpoints;
        this.stack = stack;
        stack.primary().createDatabase(db);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(endpoints.primaryJdbcUrl(db)))
                .migrate();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (runner != null) {
            runner.stop();
        }
        executor.shutdownNow();
        try (Connection c = superuser("postgres"); Statement st = c.createStatement()) {
            Poll.until(Duration.ofSeconds(30), "slot released", () -> activePid(c) == null);
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                    + slot + "'");
        }
        stack.primary().dropDatabase(db);
    }

    @Test
    void deliveriesStayWholeTransactionsInCommitOrderWhenTheWalsenderIsTerminatedMidStream() throws Exception {
        runner = runner();
        runner.start();
        Poll.until(Duration.ofSeconds(60), "the relay streams", () -> !deliveries.isEmpty()); // a heartbeat

        // Transactions larger than the engine's batches: most batches end inside one, where the walsender is ended.
        Future<?> writer = executor.submit(() -> {
            for (int tx = 0; tx < TRANSACTIONS; tx++) {
                insertAgents(tx);
            }
            return null;
        });
        for (int kill = 1; kill <= 2; kill++) {
            int seen = kill * TRANSACTIONS / 3;
            Poll.until(Duration.ofSeconds(120), seen + " transactions delivered", () -> transactionsSeen() >= seen);
            try (Connection c = superuser("postgres"); Statement st = c.createStatement()) {
                st.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
                        + slot + "' AND active_pid IS NOT NULL");
            }
        }
        writer.get();
        Poll.until(Duration.ofSeconds(180), "every transaction delivered", () -> transactionsSeen() == TRANSACTIONS);

        for (List<RowChange> delivery : deliveries) {
            Map<Integer, Integer> rowsPerTx = new LinkedHashMap<>();
            delivery.forEach(c -> rowsPerTx.merge(txOf(c), 1, Integer::sum));
            assertThat(rowsPerTx.values()).as("whole transactions: %s", rowsPerTx).allMatch(n -> n == ROWS);
            List<Integer> order = new ArrayList<>(rowsPerTx.keySet());
            assertThat(order).as("commit order, each transaction's rows together").isSorted();
            assertThat(delivery.stream().map(WalsenderTerminatedIT::txOf).distinct().count())
                    .isEqualTo(order.size());
            for (int i = 1; i < delivery.size(); i++) {
                assertThat(txOf(delivery.get(i))).as("rows of one transaction are contiguous")
                        .isGreaterThanOrEqualTo(txOf(delivery.get(i - 1)));
            }
        }
        // counted once the leader has closed the failed engine, which may come after the deliveries checked above
        Poll.until(Duration.ofSeconds(30), "the engine stopped and was restarted (factory.cdc.stream.failures)",
                () -> runner.streamFailures() >= 1);
    }

    private long transactionsSeen() {
        return deliveries.stream().flatMap(List::stream).map(WalsenderTerminatedIT::txOf).distinct().count();
    }

    /** The writer's transaction number, from the agent's name ({@code tx-<n>-<row>}). */
    private static int txOf(RowChange change) {
        return Integer.parseInt(((String) change.row().get("name")).split("-")[1]);
    }

    private void insertAgents(int tx) throws SQLException {
        try (Connection c = superuser(db); Statement st = c.createStatement()) {
            st.execute("INSERT INTO factory.agents (id, slug, name, kind, version, created_at, created_by, updated_at, "
                    + "updated_by) SELECT gen_random_uuid(), 'a-' || gen_random_uuid(), 'tx-" + tx + "-' || i, "
                    + "'planner', 1, now(), 'it', now(), 'it' FROM generate_series(1, " + ROWS + ") i");
        }
    }

    private RelayRunner runner() {
        CdcProperties props = TestCdcProperties.with(Map.of("name", "it-walsender-" + suffix,
                "topic-prefix", "it_walsender_" + suffix, "slot-name", slot,
                "lock-key", Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50)),
                "max-batch-records", "64", "restart-backoff", "500ms", "heartbeat-interval", "1s",
                "offset-flush-interval", "200ms", "stale-walsender-timeout", "30s"));
        Sink recorder = new Sink() {
            @Override
            public String name() {
                return "recorder";
            }

            @Override
            public void apply(List<RowChange> changes) throws InterruptedException {
                deliveries.add(changes.stream().filter(c -> c.table().equals("agents")).toList());
                Thread.sleep(100); // the relay behind the writer: the walsender is ended with WAL still to stream
            }
        };
        SinkDispatcher sinks = new SinkDispatcher(List.of(recorder), executor, props, new SimpleMeterRegistry());
        ChangeParser parser = new ChangeParser(props.topicPrefix());
        PGSimpleDataSource slotQueries = new PGSimpleDataSource();
        slotQueries.setUrl(endpoints.primaryJdbcUrl(db));
        slotQueries.setUser(endpoints.superuser());
        slotQueries.setPassword(endpoints.superuserPassword());
        return new RelayRunner(props, new DebeziumConfig.Primary(endpoints.primaryJdbcUrl(db), "factory_replicator",
                "factory_replicator_local"), new ReplicationSlot(slotQueries, slot),
                () -> new TransactionalBatchHandler(parser, sinks, props.maxDeliveryChanges(), props.maxDeliveryBytes()));
    }

    private Integer activePid(Connection c) {
        try (Statement st = c.createStatement(); var rs = st.executeQuery(
                "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() ? (Integer) rs.getObject(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection superuser(String database) throws SQLException {
        return DriverManager.getConnection(endpoints.primaryJdbcUrl(database), endpoints.superuser(),
                endpoints.superuserPassword());
    }
}
