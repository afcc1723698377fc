package dev.agentfactory.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
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
import dev.agentfactory.relay.sink.StandbySink;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.ChangeEventFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine as the relay configures it ({@link DebeziumConfig}, {@link TransactionalBatchHandler}, the
 * standby sink), in-process against databases of its own on both clusters and a slot of its own: what the
 * primary's WAL may carry besides factory row changes while the relay streams.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineStreamIT {

    private final String suffix = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    private final String db = "it_engine_" + suffix;
    private final String slot = "it_engine_" + suffix;

    private StackEndpoints endpoints;
    private LocalStack stack;
    private PGSimpleDataSource standby;
    private final List<RowChange> delivered = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> engineFailure = new AtomicReference<>();
    private DebeziumEngine<?> engine;
    private ExecutorService engineThread;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        this.stack = stack;
        stack.primary().createDatabase(db);
        stack.standby().createDatabase(db);
        migrate(endpoints.primaryJdbcUrl(db));
        migrate(endpoints.standbyJdbcUrl(db));
        standby = new PGSimpleDataSource();
        standby.setUrl(endpoints.standbyJdbcUrl(db));
        standby.setUser(endpoints.superuser());
        standby.setPassword(endpoints.superuserPassword());
        startEngine();
        UUID warmUp = insertAgent();
        await("the engine streams", () -> deliveredAgent(warmUp));
    }

    @AfterEach
    void engineStillRunning() {
        assertThat(engineFailure.get()).as("engine failure").isNull();
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            engine.close();
        } catch (IllegalStateException alreadyStopped) {
            // the engine stopped on an error: the test reports it
        }
        engineThread.shutdown();
        engineThread.awaitTermination(30, TimeUnit.SECONDS);
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres")); Statement st = c.createStatement()) {
            await("slot released", () -> !slotActive(c, slot));
            st.execute("SELECT pg_drop_replication_slot('" + slot + "') FROM pg_replication_slots WHERE slot_name = '"
                    + slot + "'");
        }
        stack.primary().dropDatabase(db);
        stack.standby().dropDatabase(db);
    }

    @Test
    @Order(2)
    void aLogicalDecodingMessageInTheDatabaseDoesNotStopTheStream() throws Exception {
        // pgoutput on PostgreSQL 14+ is asked for messages; any session of the database can emit one
        try (Connection c = primary(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_logical_emit_message(true, 'some-extension', 'hello')");
            st.execute("SELECT pg_logical_emit_message(false, 'some-extension', 'hello')");
        }
        UUID after = insertAgent();

        await("the agent written after the messages is delivered", () -> deliveredAgent(after));
    }

    @Test
    @Order(1) // the engine is shared: a failure of the other test would stop it for this one
    void columnsAddedByAMigrationReachTheStandby() throws Exception {
        // the deploy migrates the standby first, then the primary
        String ddl = "ALTER TABLE factory.agents ADD COLUMN review_on date, ADD COLUMN reviewed_at timestamp, "
                + "ADD COLUMN score numeric(5,2), ADD COLUMN pinned boolean NOT NULL DEFAULT false, "
                + "ADD COLUMN tags text[], ADD COLUMN ranks int[], ADD COLUMN blob bytea, ADD COLUMN grace interval";
        try (Connection c = superuser(endpoints.standbyJdbcUrl(db)); Statement st = c.createStatement()) {
            st.execute(ddl);
        }
        try (Connection c = superuser(endpoints.primaryJdbcUrl(db)); Statement st = c.createStatement()) {
            st.execute(ddl);
        }
        UUID id = insertAgent();
        try (Connection c = primary(); Statement st = c.createStatement()) {
            st.execute("UPDATE factory.agents SET version = 2, review_on = '2030-01-02', "
                    + "reviewed_at = '2030-01-02 03:04:05.123456', score = 12.5, pinned = true, "
                    + "tags = ARRAY['a', 'b \"c\"', 'back\\slash', 'x,{y}', 'NULL', '', NULL], "
                    + "ranks = '{1,NULL,-3}', blob = '\\x00dead0f', "
                    + "grace = '1 year 2 mons -3 days 04:05:06.78' WHERE id = '" + id + "'");
        }

        await("the update reaches the standby", () -> standbyVersion(id) == 2 || engineFailure.get() != null);
        assertThat(engineFailure.get()).as("engine failure").isNull();
        try (Connection c = standby.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT review_on::text, reviewed_at::text, score::text, pinned "
                     + "FROM factory.agents WHERE id = '" + id + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("2030-01-02");
            assertThat(rs.getString(2)).isEqualTo("2030-01-02 03:04:05.123456");
            assertThat(rs.getString(3)).isEqualTo("12.50");
            assertThat(rs.getBoolean(4)).isTrue();
        }
        String added = "SELECT tags::text, ranks::text, blob::text, grace::text FROM factory.agents WHERE id = '"
                + id + "'";
        List<String> onPrimary;
        try (Connection c = primary()) {
            onPrimary = row(c, added);
        }
        assertThat(onPrimary).containsExactly("{a,\"b \\\"c\\\"\",\"back\\\\slash\",\"x,{y}\",\"NULL\",\"\",NULL}",
                "{1,NULL,-3}", "\\x00dead0f", "1 year 2 mons -3 days +04:05:06.78");
        try (Connection c = standby.getConnection()) {
            assertThat(row(c, added)).isEqualTo(onPrimary);
        }
    }

    private static List<String> row(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                values.add(rs.getString(i));
            }
            return values;
        }
    }

    private void startEngine() {
        CdcProperties props = TestCdcProperties.with(Map.of("name", "it-engine-" + suffix,
                "topic-prefix", "it_engine_" + suffix, "slot-name", slot, "lock-key", "1", "sink-attempts", "2",
                "retry-backoff", "100ms", "heartbeat-interval", "1s", "offset-flush-interval", "200ms"));
        Properties config = DebeziumConfig.of(props, new DebeziumConfig.Primary(endpoints.primaryJdbcUrl(db),
                "factory_replicator", "factory_replicator_local"));
        Sink recorder = new Sink() {
            @Override
            public String name() {
                return "recorder";
            }

            @Override
            public void apply(List<RowChange> changes) {
                delivered.addAll(changes);
            }
        };
        SinkDispatcher sinks = new SinkDispatcher(List.of(recorder, new StandbySink(standby, JsonMapper.builder()
                .build(), props.lockKey(), props.sinkTimeout())), Executors.newCachedThreadPool(), props, new SimpleMeterRegistry());
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(config)
                .using((success, message, error) -> {
                    if (!success) {
                        engineFailure.set(error != null ? error : new IllegalStateException(message));
                    }
                })
                .notifying(new TransactionalBatchHandler(new ChangeParser(props.topicPrefix()), sinks,
                        props.maxDeliveryChanges(), props.maxDeliveryBytes()))
                .build();
        engineThread = Executors.newSingleThreadExecutor();
        engineThread.execute(engine);
    }

    private UUID insertAgent() throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = primary(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO factory.agents (id, slug, name, kind, version, created_at, created_by, updated_at, "
                    + "updated_by) VALUES ('" + id + "', 'a-" + id + "', 'agent', 'planner', 1, now(), 'it', now(), 'it')");
        }
        return id;
    }

    private boolean deliveredAgent(UUID id) {
        if (engineFailure.get() != null) {
            throw new AssertionError("the engine stopped", engineFailure.get());
        }
        return delivered.stream().anyMatch(c -> c.table().equals("agents") && id.toString().equals(c.row().get("id")));
    }

    private long standbyVersion(UUID id) {
        try (Connection c = standby.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM factory.agents WHERE id = '" + id + "'")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean slotActive(Connection c, String slot) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT 1 FROM pg_replication_slots WHERE active AND slot_name = '" + slot + "'")) {
            return rs.next();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection primary() throws SQLException {
        return superuser(endpoints.primaryJdbcUrl(db));
    }

    private Connection superuser(String url) throws SQLException {
        return DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
    }

    private static void migrate(String url) {
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }
}
