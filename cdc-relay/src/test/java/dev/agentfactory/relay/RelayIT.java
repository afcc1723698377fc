package dev.agentfactory.relay;

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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.relay.verify.ConsistencyChecker;
import dev.agentfactory.relay.verify.ConsistencyReport;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.FreePorts;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.cache.ReadModelKeys;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The relay against the real local stack, run as child processes of the packaged jar: its own databases on
 * both clusters, its own slot, topics, Redis prefix and lock key. Ordered: idle heartbeats, then 20,000
 * mixed writes, then SIGKILLs mid-stream with a waiting second instance and a restart.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayIT {

    private final String suffix = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    private final String db = "it_relay_" + suffix;
    private final String slot = "it_relay_" + suffix;
    private final String agentsTopic = "it.relay." + suffix + ".audit.agents";
    private final String prdsTopic = "it.relay." + suffix + ".audit.prds";
    private final ReadModelKeys keys = new ReadModelKeys("it-relay-" + suffix);

    private StackEndpoints endpoints;
    private LocalStack stack;
    private final List<RelayProcess> relays = new ArrayList<>();
    private int firstRelayPort;
    private RedisClient redisClient;
    private StatefulRedisConnection<String, String> redis;

    private final Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
    private final Set<Long> historySeen = ConcurrentHashMap.newKeySet();
    /** "purge:<id>" of each purge event, "history:<id>:<seq>" of each history delete. */
    private final Set<String> purgesSeen = ConcurrentHashMap.newKeySet();
    private final Set<String> eventsSeen = ConcurrentHashMap.newKeySet();
    private final AtomicLong auditRecords = new AtomicLong();
    private final AtomicLong placeholders = new AtomicLong();
    private volatile boolean consuming = true;
    private Thread consumer;

    private List<UUID> agents;
    private List<UUID> prds;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        this.stack = stack;
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres")); Statement st = c.createStatement()) {
            // a run killed before its tear-down leaves its slot behind, pinning WAL on the shared primary
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE slot_name LIKE 'it\\_relay\\_%' AND NOT active");
        }
        stack.primary().createDatabase(db);
        stack.standby().createDatabase(db);
        migrate(endpoints.primaryJdbcUrl(db));
        migrate(endpoints.standbyJdbcUrl(db));
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agentsTopic, 3, prdsTopic, 3));
        redisClient = RedisClient.create(endpoints.redisUrl());
        redis = redisClient.connect();
        consumer = new Thread(this::consumeAudit, "it-audit-consumer");
        consumer.start();
        Map<String, String> first = relayProperties();
        firstRelayPort = FreePorts.take();
        first.put("server.port", Integer.toString(firstRelayPort));
        relays.add(RelayProcess.start(suffix + "-a", first));
    }

    @AfterAll
    void tearDown() throws Exception {
        for (RelayProcess r : relays) {
            if (r.alive()) {
                r.stop();
            }
        }
        consuming = false;
        if (consumer != null) {
            consumer.join(10_000);
        }
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres")); Statement st = c.createStatement()) {
            await(Duration.ofSeconds(30), "slot released", () -> slotActivePid() == null);
            st.execute("SELECT pg_drop_replication_slot('" + slot + "') FROM pg_replication_slots WHERE slot_name = '"
                    + slot + "'");
        }
        if (redis != null) {
            KeyScanCursor<String> cursor = redis.sync().scan(ScanArgs.Builder.matches(keys.prefix() + ":*").limit(1000));
            while (true) {
                if (!cursor.getKeys().isEmpty()) {
                    redis.sync().del(cursor.getKeys().toArray(String[]::new));
                }
                if (cursor.isFinished()) {
                    break;
                }
                cursor = redis.sync().scan(ScanCursor.of(cursor.getCursor()),
                        ScanArgs.Builder.matches(keys.prefix() + ":*").limit(1000));
            }
            redis.close();
            redisClient.shutdown();
        }
        stack.primary().dropDatabase(db);
        stack.standby().dropDatabase(db);
    }

    @Test
    @Order(1)
    void idleFactoryStillAdvancesTheSlotThroughHeartbeats() throws Exception {
        await(Duration.ofSeconds(90), "relay streaming", () -> slotActivePid() != null && confirmedFlushLsn() != null);
        String before = confirmedFlushLsn();
        String foreignWal;
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres")); Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE noise AS SELECT g FROM generate_series(1, 10000) g");
            foreignWal = scalar(c, "SELECT pg_current_wal_lsn()::text");
        }
        await(Duration.ofSeconds(30), "confirmed_flush_lsn past " + foreignWal,
                () -> lsnAtLeast(confirmedFlushLsn(), foreignWal));
        System.out.printf("heartbeat: confirmed_flush_lsn %s -> %s while factory was idle%n", before,
                confirmedFlushLsn());
    }

    @Test
    @Order(2)
    void twentyThousandMixedWritesReachEverySinkExactly() throws Exception {
        long start = System.nanoTime();
        WorkerLikeWriter w = new WorkerLikeWriter(primary());
        agents = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            agents.addAll(w.createAgents(100));
        }
        prds = w.createPrds(100, 6000);
        for (int round = 0; round < 11; round++) {
            w.updateAgents(agents.subList(0, 300)); // one transaction of 1,200 row changes
        }
        for (int i = 0; i < 4; i++) {
            w.appendHistory(agents.subList(i * 100, i * 100 + 100), 10);
        }
        w.advancePrds(prds);
        w.advancePrds(prds.subList(0, 50));
        List<UUID> linkPrds = new ArrayList<>();
        List<UUID> linkAgents = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            linkPrds.add(prds.get(i % 100));
            linkAgents.add(agents.get(i));
        }
        w.link(linkPrds, linkAgents, false);
        w.link(linkPrds.subList(0, 50), linkAgents.subList(0, 50), true);
        w.deleteAgents(agents.subList(450, 500));
        // an operator's purge of linked agents with history, half of the ids then created again, and a prune of
        // outcomes: the standby applies them as the relay's role (before V4_5 it could not, and the relay stopped)
        List<UUID> purged = agents.subList(440, 450);
        w.link(prds.subList(0, 10), purged, false);
        w.appendHistory(purged, 3);
        w.purgeAgents(purged);
        w.createAgents(purged.subList(0, 5));
        w.pruneOutcomes(100);
        long written = w.rowChanges;
        double writeSeconds = (System.nanoTime() - start) / 1e9;
        ConsistencyReport report = awaitConsistent(Duration.ofSeconds(180));
        System.out.printf("mixed writes: %d row changes in %.1f s, all sinks consistent %.1f s after the start; "
                + "audit records %d%n", written, writeSeconds, (System.nanoTime() - start) / 1e9, auditRecords.get());
        assertThat(written).isGreaterThanOrEqualTo(20_000);
        assertThat(report.matches()).as(report.toString()).isTrue();
        assertThat(placeholders.get()).as("TOAST placeholders in audit events").isZero();
        assertNoPlaceholderInRedis();
        assertRelayMetricsExposed();
        await(Duration.ofSeconds(30), "the purges on the audit topic", () -> purgesSeen.size() == 40);
        assertThat(purgesSeen).as("a purge event per agent and a history delete per entry, under the agent's id")
                .containsAll(purged.stream().map(id -> "purge:" + id).toList())
                .filteredOn(k -> k.startsWith("history:") && purged.stream().anyMatch(id -> k.contains(id.toString())))
                .hasSize(30);
    }

    /** The relay's metrics (issue 5) are on /actuator/prometheus, one series per sink. */
    private void assertRelayMetricsExposed() throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + firstRelayPort + "/actuator/prometheus")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String sink : List.of("redis", "audit", "standby")) {
            for (String series : List.of("factory_cdc_sink_lag_seconds_count{", "factory_cdc_events_total{",
                    "factory_cdc_errors_total{")) {
                assertThat(body.lines().anyMatch(l -> l.startsWith(series) && l.contains("sink=\"" + sink + "\"")))
                        .as(series + " sink=" + sink).isTrue();
            }
        }
        assertThat(body).contains("factory_cdc_slot_lag_bytes{");
        assertThat(body.lines().filter(l -> l.startsWith("factory_cdc_stream_failures_total"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1))).containsExactly("0.0");
        // its prefix is new on this Redis, so there was no server on record: one (empty) drop at the start
        assertThat(body.lines().filter(l -> l.startsWith("factory_cdc_redis_read_model_drops_total"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1))).containsExactly("1.0");
    }

    @Test
    @Order(3)
    void killedRelayIsReplacedByTheWaitingInstanceAndRestartsWithoutLosingChanges() throws Exception {
        RelayProcess first = relays.get(0);
        RelayProcess second = RelayProcess.start(suffix + "-b", relayProperties());
        relays.add(second);
        await(Duration.ofSeconds(90), "second instance up and waiting", () -> logContains(second, "Started "));

        WorkerLikeWriter w = new WorkerLikeWriter(primary());
        List<UUID> live = agents.subList(0, 400);
        w.updateAgents(live);
        int historyBefore = historySeen.size();
        w.appendHistory(live, 25); // 10,000 rows in one COPY transaction, many sharing an LSN
        // SIGKILL once the first events of that transaction reach the audit topic: mid-delivery, before its
        // offset can be stored, so the new instance must deliver it again
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (historySeen.size() == historyBefore) {
            assertThat(System.nanoTime()).as("the large transaction reaching the audit topic").isLessThan(deadline);
            Thread.sleep(1);
        }
        first.kill();
        long killedAt = System.nanoTime();
        long auditBeforeKill = auditRecords.get();
        w.updateAgents(live);
        w.appendHistory(live, 5);
        awaitInRedis(live.get(0), Duration.ofSeconds(60));
        double takeover = (System.nanoTime() - killedAt) / 1e9;

        // and once more: the active instance killed mid-stream, a fresh one started in its place
        w.updateAgents(live);
        w.appendHistory(live, 5);
        second.kill();
        long secondKilledAt = System.nanoTime();
        RelayProcess restarted = RelayProcess.start(suffix + "-c", relayProperties());
        relays.add(restarted);
        w.updateAgents(live);
        w.appendHistory(live, 5);
        awaitInRedis(live.get(0), Duration.ofSeconds(120));
        double restart = (System.nanoTime() - secondKilledAt) / 1e9;
        ConsistencyReport report = awaitConsistent(Duration.ofSeconds(180));
        System.out.printf("kill: first SIGKILL after %d audit records; ", auditBeforeKill);
        System.out.printf("takeover by the waiting instance %.1f s after SIGKILL, a restarted process caught up "
                + "%.1f s after SIGKILL; %d audit records for %d distinct events (duplicates absorbed)%n", takeover,
                restart, auditRecords.get(), eventsSeen.size());
        assertThat(takeover).isLessThan(30);
        assertThat(report.matches()).as(report.toString()).isTrue();
        assertThat(placeholders.get()).isZero();
    }

    private static void migrate(String url) {
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
    }

    private Map<String, String> relayProperties() {
        Map<String, String> p = RelayProcess.properties(endpoints, endpoints.primaryJdbcUrl(db), "it-relay-" + suffix,
                agentsTopic, prdsTopic);
        p.put("factory.cdc.slot-name", slot);
        p.put("factory.cdc.redis-prefix", keys.prefix());
        p.put("factory.cdc.lock-key", Long.toString(Math.abs(UUID.nameUUIDFromBytes(suffix.getBytes())
                .getMostSignificantBits())));
        p.put("factory.cdc.offset-flush-interval", "1s");
        p.put("factory.cdc.standby.url", endpoints.standbyJdbcUrl(db));
        return p;
    }

    private ConsistencyReport awaitConsistent(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        ConsistencyReport last;
        do {
            last = check();
            if (last.matches()) {
                return last;
            }
            Thread.sleep(1000);
        } while (System.nanoTime() < deadline);
        return last;
    }

    private ConsistencyReport check() throws SQLException {
        try (Connection p = superuser(endpoints.primaryJdbcUrl(db)); Connection s = superuser(endpoints.standbyJdbcUrl(db))) {
            return new ConsistencyChecker().standby(p, s)
                    .redis(p, keys, ks -> redis.sync().mget(ks.toArray(String[]::new)).stream()
                            .map(kv -> kv.getValueOrElse(null)).toList())
                    .audit(p, versionsSeen, historySeen).report();
        }
    }

    /** Waits until Redis holds the primary's current version of the agent: the relay streams again. */
    private void awaitInRedis(UUID agent, Duration timeout) throws Exception {
        long version;
        try (Connection c = primary()) {
            version = Long.parseLong(scalar(c, "SELECT version FROM factory.agents WHERE id = '" + agent + "'"));
        }
        String key = keys.agent(agent);
        await(timeout, "agent " + agent + " v" + version + " in Redis", () -> {
            String value = redis.sync().get(key);
            return value != null && new dev.agentfactory.store.cache.ReadModelCodec().version(value) >= version;
        });
    }

    private void assertNoPlaceholderInRedis() {
        List<String> prdKeys = prds.stream().map(keys::prd).toList();
        for (KeyValue<String, String> kv : redis.sync().mget(prdKeys.toArray(String[]::new))) {
            assertThat(kv.getValueOrElse("")).doesNotContain("__debezium_unavailable_value").contains("# PRD");
        }
    }

    private void consumeAudit() {
        Properties props = new Properties();
        props.put("bootstrap.servers", endpoints.kafkaBootstrap());
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        JsonMapper json = JsonMapper.builder().build();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(agentsTopic, prdsTopic)) {
                for (int i = 0; i < 3; i++) {
                    parts.add(new TopicPartition(t, i));
                }
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            while (consuming) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    auditRecords.incrementAndGet();
                    if (r.value().contains("__debezium_unavailable_value")) {
                        placeholders.incrementAndGet();
                    }
                    JsonNode e = json.readTree(r.value());
                    String id = e.path("id").asString();
                    if (!id.equals(r.key())) {
                        throw new IllegalStateException("audit record keyed " + r.key() + " for entity " + id);
                    }
                    if (e.path("op").asString().equals("history") && e.path("after").isNull()) {
                        purgesSeen.add("history:" + id + ":" + e.path("before").path("seq").asLong());
                    } else if (e.path("op").asString().equals("history")) {
                        historySeen.add(e.path("after").path("seq").asLong());
                    } else if (e.path("op").asString().equals("purge")) {
                        purgesSeen.add("purge:" + id);
                    } else if (!e.path("version").isNull() && !e.path("table").asString().equals("prd_agents")) {
                        versionsSeen.add(e.path("entity").asString() + ":" + id + ":" + e.path("version").asLong());
                    }
                    // a redelivered event is byte-identical to the first delivery
                    eventsSeen.add(UUID.nameUUIDFromBytes(r.value().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                            .toString());
                }
            }
        }
    }

    private Connection primary() throws SQLException {
        return superuser(endpoints.primaryJdbcUrl(db));
    }

    private Connection superuser(String url) throws SQLException {
        return DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
    }

    private Long slotActivePid() throws SQLException {
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres"))) {
            String pid = scalar(c, "SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
            return pid == null ? null : Long.parseLong(pid);
        }
    }

    private String confirmedFlushLsn() throws SQLException {
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres"))) {
            return scalar(c, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        }
    }

    private boolean lsnAtLeast(String lsn, String target) throws SQLException {
        try (Connection c = superuser(endpoints.primaryJdbcUrl("postgres"))) {
            return lsn != null && "true".equals(scalar(c, "SELECT ('" + lsn + "'::pg_lsn >= '" + target
                    + "'::pg_lsn)::text"));
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static boolean logContains(RelayProcess r, String text) throws Exception {
        return java.nio.file.Files.exists(r.log) && java.nio.file.Files.readString(r.log).contains(text);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
