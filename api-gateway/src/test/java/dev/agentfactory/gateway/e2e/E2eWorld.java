package dev.agentfactory.gateway.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import org.springframework.test.context.DynamicPropertyRegistry;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.junit.Poll;

/**
 * One end-to-end suite's isolated world on the shared stack: its own migrated database, write, result
 * and DLQ topics, worker group and cache prefix, and the worker running against them as a subprocess;
 * optionally the relay too, with its own audit topics and, when asked, its own standby database.
 */
final class E2eWorld implements AutoCloseable {

    static final String SECRET = "test-secret-for-the-gateway-e2e-suite-0123456789";

    final String suffix;
    final String db;
    final String agentTopic;
    final String prdTopic;
    final String resultsTopic;
    final String dlqTopic;
    final String cachePrefix;
    final StackEndpoints stack;
    private final LocalStack local;
    final String agentsAuditTopic;
    final String prdsAuditTopic;
    private final AppProcess worker;
    private AppProcess relay;
    private boolean standby;

    private static final java.util.Map<String, E2eWorld> SHARED = new java.util.HashMap<>();

    /**
     * The world of one test class, made on first use: from its {@code @DynamicPropertySource}, before the
     * Spring context starts. {@link #closeShared} stops its apps after the class.
     */
    static synchronized E2eWorld shared(String name, boolean withRelay) {
        return SHARED.computeIfAbsent(name, n -> {
            try {
                E2eWorld w = new E2eWorld(n, dev.agentfactory.stack.junit.LocalStackExtension.stack());
                if (withRelay) {
                    w.startRelay();
                }
                return w;
            } catch (Exception e) {
                throw new IllegalStateException("cannot set up the " + n + " world", e);
            }
        });
    }

    static synchronized void closeShared(String name) throws Exception {
        E2eWorld w = SHARED.remove(name);
        if (w != null) {
            w.close();
        }
    }

    E2eWorld(String name, LocalStack local) throws Exception {
        this.local = local;
        this.stack = local.endpoints();
        this.suffix = name + "_" + Long.toString(System.currentTimeMillis(), 36);
        this.db = "it_gateway_" + suffix;
        this.agentTopic = "it-gateway.agent-writes." + suffix;
        this.prdTopic = "it-gateway.prd-writes." + suffix;
        this.resultsTopic = "it-gateway.results." + suffix;
        this.dlqTopic = "it-gateway.dlq." + suffix;
        this.cachePrefix = "it-gateway-" + suffix;
        this.agentsAuditTopic = "it-gateway.audit.agents." + suffix;
        this.prdsAuditTopic = "it-gateway.audit.prds." + suffix;
        local.primary().createDatabase(db);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(stack.primaryJdbcUrl(db))).migrate();
        StackTopics.create(stack.kafkaBootstrap(), Map.of(agentTopic, 3, prdTopic, 3, resultsTopic, 3, dlqTopic, 1));
        worker = new AppProcess("worker-" + suffix, AppProcess.moduleJar("ingest-worker"));
        worker.start(Map.of("spring.datasource.url", stack.primaryJdbcUrl(db),
                "spring.kafka.bootstrap-servers", stack.kafkaBootstrap(),
                "factory.ingest.agent-topic", agentTopic, "factory.ingest.prd-topic", prdTopic,
                "factory.ingest.results-topic", resultsTopic, "factory.ingest.dlq-topic", dlqTopic,
                "factory.ingest.group-id", "it-gateway-worker-" + suffix, "factory.ingest.concurrency", "1",
                // a SIGKILLed worker's partitions go to its restarted process after this long, not the default 10 s
                "spring.kafka.consumer.properties.session.timeout.ms", "6000",
                "spring.kafka.consumer.properties.heartbeat.interval.ms", "2000"))
                .awaitHealthy(Duration.ofSeconds(90));
    }

    /**
     * Starts the CDC relay on this world's database with its own slot (slots are cluster-wide; the
     * publication is per database and made by the migrations), lock and audit topics,
     * writing the read model under the gateway's cache prefix (property names of the relay's CdcProperties).
     */
    void startRelay() throws Exception {
        startRelay(false);
    }

    /**
     * As {@link #startRelay()}; with {@code withStandby} the relay also applies every change to this world's
     * own database of the same name on the standby cluster, made and migrated here.
     */
    void startRelay(boolean withStandby) throws Exception {
        startRelay(withStandby, stack.redisUrl());
    }

    /** As {@link #startRelay(boolean)}, with the read model in the Redis at {@code redisUrl}. */
    void startRelay(boolean withStandby, String redisUrl) throws Exception {
        if (withStandby) {
            local.standby().createDatabase(db);
            standby = true;
            new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(stack.standbyJdbcUrl(db)))
                    .migrate();
        }
        // made here, not on the relay's first event, so a reader can be assigned them before any write
        StackTopics.create(stack.kafkaBootstrap(), Map.of(agentsAuditTopic, 3, prdsAuditTopic, 3));
        relay = new AppProcess("relay-" + suffix, AppProcess.moduleJar("cdc-relay"));
        relay.start(Map.ofEntries(Map.entry("spring.datasource.url", stack.primaryJdbcUrl(db)),
                Map.entry("spring.kafka.bootstrap-servers", stack.kafkaBootstrap()),
                Map.entry("spring.data.redis.url", redisUrl),
                Map.entry("factory.cdc.name", "it-gateway-" + suffix),
                Map.entry("factory.cdc.slot-name", slotName()),
                Map.entry("factory.cdc.topic-prefix", "it-gateway-" + suffix),
                Map.entry("factory.cdc.agents-audit-topic", agentsAuditTopic),
                Map.entry("factory.cdc.prds-audit-topic", prdsAuditTopic),
                Map.entry("factory.cdc.redis-prefix", cachePrefix),
                Map.entry("factory.cdc.lock-key", Long.toString(Math.abs((long) suffix.hashCode()) + 5_000_000L)),
                Map.entry("factory.cdc.restart-backoff", "1s"),
                Map.entry("factory.cdc.standby.enabled", Boolean.toString(withStandby)),
                Map.entry("factory.cdc.standby.url", stack.standbyJdbcUrl(db))))
                .awaitHealthy(Duration.ofSeconds(120));
    }

    AppProcess worker() {
        return worker;
    }

    AppProcess relay() {
        return relay;
    }

    /** A superuser connection to this world's database on the primary. */
    Connection primarySql() throws java.sql.SQLException {
        return DriverManager.getConnection(stack.primaryJdbcUrl(db), stack.superuser(), stack.superuserPassword());
    }

    /** A superuser connection to this world's database on the standby ({@link #startRelay(boolean)} with it). */
    Connection standbySql() throws java.sql.SQLException {
        return DriverManager.getConnection(stack.standbyJdbcUrl(db), stack.superuser(), stack.superuserPassword());
    }

    /** Hard-deletes an agent and the rows that reference it, in one transaction, as an operator's purge does. */
    void purgeAgent(java.util.UUID id) throws Exception {
        try (Connection c = primarySql()) {
            c.setAutoCommit(false);
            for (String sql : List.of("DELETE FROM factory.prd_agents WHERE agent_id = ?",
                    "DELETE FROM factory.agent_history WHERE agent_id = ?",
                    "DELETE FROM factory.agent_versions WHERE agent_id = ?", "DELETE FROM factory.agents WHERE id = ?")) {
                try (java.sql.PreparedStatement st = c.prepareStatement(sql)) {
                    st.setObject(1, id);
                    st.executeUpdate();
                }
            }
            c.commit();
        }
    }

    /** Whether cdc-relay.jar is the relay itself (it carries Debezium), not the module's empty skeleton. */
    static boolean relayBuilt() {
        java.nio.file.Path jar = AppProcess.moduleJar("cdc-relay");
        if (!java.nio.file.Files.isRegularFile(jar)) {
            return false;
        }
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            return zip.stream().anyMatch(e -> e.getName().startsWith("BOOT-INF/lib/debezium-embedded"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Points the gateway under test at this world. */
    void register(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> stack.primaryJdbcUrl(db));
        registry.add("spring.kafka.bootstrap-servers", stack::kafkaBootstrap);
        registry.add("spring.data.redis.url", stack::redisUrl);
        registry.add("factory.gateway.security.jwt-secret", () -> SECRET);
        registry.add("factory.gateway.topics.agent-writes", () -> agentTopic);
        registry.add("factory.gateway.topics.prd-writes", () -> prdTopic);
        registry.add("factory.gateway.topics.results", () -> resultsTopic);
        registry.add("factory.gateway.cache.prefix", () -> cachePrefix);
        registry.add("factory.gateway.max-body-bytes", () -> "65536");
        // Long enough that only an ended epoch, never the age bound, can make a test see a list change.
        registry.add("factory.gateway.cache.first-page-max-age", () -> "10m");
    }

    /**
     * Stops the apps and removes everything this world made on the shared stack: the replication slot
     * (a left-over slot would pin WAL on everyone's primary), the database, the topics and the cached keys.
     */
    @Override
    public void close() throws Exception {
        if (relay != null) {
            relay.close();
        }
        worker.close();
        try (Connection c = DriverManager.getConnection(stack.primaryJdbcUrl("postgres"), stack.superuser(),
                stack.superuserPassword()); Statement st = c.createStatement()) {
            // The relay's walsender lets go of the slot a moment after the process ends.
            Poll.until(Duration.ofSeconds(30), "slot " + slotName() + " released and dropped", () -> {
                try (var rs = st.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '"
                        + slotName() + "'")) {
                    if (!rs.next()) {
                        return true;
                    }
                    if (rs.getBoolean(1)) {
                        return false;
                    }
                    st.execute("SELECT pg_drop_replication_slot('" + slotName() + "')");
                    return true;
                } catch (java.sql.SQLException e) {
                    return false; // taken again in between, or dropped meanwhile: look again
                }
            });
        }
        local.primary().dropDatabase(db);
        if (standby) {
            local.standby().dropDatabase(db);
        }
        StackTopics.delete(stack.kafkaBootstrap(), List.of(agentTopic, prdTopic, resultsTopic, dlqTopic));
        if (relay != null) {
            StackTopics.delete(stack.kafkaBootstrap(), List.of(agentsAuditTopic, prdsAuditTopic));
        }
        dropCachedKeys();
    }

    /**
     * Deletes every Redis key under this world's prefix, and only those (Redis is shared): on close, and as
     * the cache loss of the pipeline crash test. Returns how many keys went.
     */
    long dropCachedKeys() {
        RedisClient redis = RedisClient.create(stack.redisUrl());
        try (var connection = redis.connect()) {
            var commands = connection.sync();
            List<String> keys = SinkAgreement.keys(commands, cachePrefix);
            return keys.isEmpty() ? 0 : commands.del(keys.toArray(String[]::new));
        } finally {
            redis.shutdown();
        }
    }

    private String slotName() {
        return "it_gateway_" + suffix;
    }

}
