package dev.agentfactory.ops.prune;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.agentfactory.contracts.EventIds;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * {@code ops prune-outcomes} on its own database of the shared primary, with its own topics whose retention it
 * sets: which rows go and which stay, batch sizes, the dry run, the retention refusals and their override.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PruneOutcomesIT {

    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    private final String suffix = OpsTestBed.suffix();
    private final String database = "it_ops_prune_" + suffix;
    private final String writes = "it.ops.prune." + suffix + ".writes";
    private final String dlq7d = "it.ops.prune." + suffix + ".dlq7d";
    private final String dlq60d = "it.ops.prune." + suffix + ".dlq60d";
    private final String dlqForever = "it.ops.prune." + suffix + ".dlqforever";
    private final Random random = new Random(7);
    private OpsTestBed bed;
    private StackEndpoints endpoints;
    private String url;
    /** The rows a correct prune at 30 days keeps, and the ones it deletes. */
    private Set<UUID> kept;
    private Set<UUID> old;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        this.endpoints = endpoints;
        bed = new OpsTestBed(endpoints, stack);
        url = bed.migratedDatabase(database);
        String bootstrap = endpoints.kafkaBootstrap();
        StackTopics.create(bootstrap, Map.of(writes, 1, dlq7d, 1), Map.of("retention.ms", "" + 7 * DAY_MS,
                "segment.ms", "" + 7 * DAY_MS));
        StackTopics.create(bootstrap, Map.of(dlq60d, 1), Map.of("retention.ms", "" + 60 * DAY_MS));
        StackTopics.create(bootstrap, Map.of(dlqForever, 1), Map.of("retention.ms", "-1"));
    }

    @AfterAll
    void tearDown() throws Exception {
        bed.dropDatabase(database);
        StackTopics.delete(endpoints.kafkaBootstrap(), List.of(writes, dlq7d, dlq60d, dlqForever));
    }

    /**
     * Seven v7 rows minted and processed 40 days ago (deleted by a 30-day prune); kept: three recent v7 rows, four v4
     * rows whose bits sort below the cut, a version-7 id with another variant, a 40-day-old v7 id processed an hour
     * ago, and two v4 rows above the cut.
     */
    @BeforeEach
    void seed() throws Exception {
        long now = System.currentTimeMillis();
        old = new TreeSet<>();
        kept = new TreeSet<>();
        try (Connection c = bed.connect(url)) {
            c.createStatement().execute("TRUNCATE factory.processed_events");
            for (int i = 0; i < 7; i++) {
                old.add(insert(c, v7(now - 40 * DAY_MS + i), now - 40 * DAY_MS));
            }
            for (int i = 0; i < 3; i++) {
                kept.add(insert(c, v7(now - DAY_MS + i), now - DAY_MS));
            }
            for (int i = 0; i < 4; i++) {
                kept.add(insert(c, v4(0x00), now - 40 * DAY_MS));
            }
            UUID otherVariant = v7(now - 40 * DAY_MS + 100);
            kept.add(insert(c, new UUID(otherVariant.getMostSignificantBits(),
                    otherVariant.getLeastSignificantBits() | 0xC000_0000_0000_0000L), now - 40 * DAY_MS));
            kept.add(insert(c, v7(now - 40 * DAY_MS + 200), now - Duration.ofHours(1).toMillis()));
            kept.add(insert(c, v4(0xF0), now - 40 * DAY_MS));
            kept.add(insert(c, v4(0xFF), now - 40 * DAY_MS));
        }
    }

    @Test
    void deletesOldUuidV7RowsAndKeepsRecentOnesOtherVersionsAndRowsProcessedAfterTheCut() throws Exception {
        Run r = prune(env(dlq7d), "--older-than=30d");

        assertThat(r.status).as(r.err).isZero();
        assertThat(rows()).isEqualTo(kept);
        assertThat(r.out).contains("deleted 7 rows in 1 batches")
                .contains("kept below the cut: 5 not UUIDv7, 1 processed after the cut time");
        assertThat(r.out).containsPattern("cut 20\\d\\d-\\S+Z = [0-9a-f]{8}-[0-9a-f]{4}-7000-8000-000000000000");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void smallBatchesDeleteExactlyWhatOneBatchDoes(int batch) throws Exception {
        Run r = prune(env(dlq7d), "--older-than=720h", "--batch=" + batch);

        assertThat(r.status).as(r.err).isZero();
        assertThat(rows()).isEqualTo(kept);
        // 13 rows lie below the cut: 7 deleted, 6 kept
        assertThat(r.out).contains("deleted 7 rows in " + (13 + batch - 1) / batch + " batches");
    }

    @Test
    void aDryRunCountsWhatWouldGoAndDeletesNothing() throws Exception {
        Set<UUID> before = rows();

        Run r = prune(env(dlq7d), "--older-than=30d", "--dry-run", "--batch=2");

        assertThat(r.status).as(r.err).isZero();
        assertThat(rows()).isEqualTo(before).containsAll(old);
        assertThat(r.out).contains("would delete 7 rows").contains("5 not UUIDv7, 1 processed after the cut time");
    }

    @Test
    void refusesAnAgeNotLongerThanTheLongestRetentionAndDeletesNothing() throws Exception {
        Set<UUID> before = rows();

        Run equal = prune(env(dlq7d), "--older-than=7d");
        // longer than retention.ms, but a record can stay until its segment rolls (segment.ms) and then ages out
        Run withinSegment = prune(env(dlq7d), "--older-than=10d");
        // longer than either topic keeps a record, but a dead letter replayed late stays in the write topic too
        Run withinReplay = prune(env(dlq7d), "--older-than=20d");
        Run shorter = prune(env(dlq60d), "--older-than=30d");

        assertThat(equal.status).isEqualTo(1);
        assertThat(equal.err).contains("refused").contains("is not longer than a record can stay")
                .contains("applied a second time");
        String sevenDays = " (up to 14d: retention.ms " + 7 * DAY_MS + " = 7d plus segment.ms " + 7 * DAY_MS + " = 7d)";
        assertThat(withinSegment.status).isEqualTo(1);
        assertThat(withinSegment.err).contains("--older-than 10d is not longer than a record can stay where the worker"
                + " can read it again, 28d: topic " + dlq7d + sevenDays + " can keep a dead letter, and topic " + writes
                + sevenDays + " the copy ops dlq-replay re-publishes");
        assertThat(withinReplay.status).isEqualTo(1);
        assertThat(withinReplay.err).contains("--older-than 20d is not longer than a record can stay");
        assertThat(shorter.status).isEqualTo(1);
        assertThat(shorter.err).contains("--older-than 30d is not longer than").contains("topic " + dlq60d)
                .contains("retention.ms " + 60 * DAY_MS + " = 60d");
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void refusesWhenATopicKeepsRecordsForever() throws Exception {
        Set<UUID> before = rows();

        Run r = prune(env(dlqForever), "--older-than=3650d");

        assertThat(r.status).isEqualTo(1);
        assertThat(r.err).contains("topic " + dlqForever + " (kept forever)").contains("no cut is safe");
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void refusesWhenTheBrokerCannotBeReached() throws Exception {
        Map<String, String> env = env(dlq7d);
        try (ServerSocket s = new ServerSocket(0)) {
            env.put("FACTORY_KAFKA_BOOTSTRAP", "127.0.0.1:" + s.getLocalPort()); // listens, never answers Kafka
            Set<UUID> before = rows();

            Run r = prune(env, "--older-than=30d");

            assertThat(r.status).isEqualTo(1);
            assertThat(r.err).contains("cannot read the retention of").contains("applied a second time");
            assertThat(rows()).isEqualTo(before);
        }
    }

    @Test
    void refusesWhenATopicDoesNotExist() throws Exception {
        Set<UUID> before = rows();

        Run r = prune(env(dlq7d + ".missing"), "--older-than=30d");

        assertThat(r.status).isEqualTo(1);
        assertThat(r.err).contains("cannot read the retention of topic " + dlq7d + ".missing: it does not exist");
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void allowShorterThanRetentionOverridesTheRefusal() throws Exception {
        Run r = prune(env(dlq60d), "--older-than=30d", "--allow-shorter-than-retention");

        assertThat(r.status).as(r.err).isZero();
        assertThat(r.out).contains("WARNING, --allow-shorter-than-retention overrides").contains("deleted 7 rows");
        assertThat(rows()).isEqualTo(kept);
    }

    @Test
    void badInputIsAUsageErrorBeforeAnythingIsTouched() throws Exception {
        Set<UUID> before = rows();
        for (List<String> args : List.of(List.<String>of(), List.of("--older-than=soon"), List.of("--older-than=0d"),
                List.of("--older-than=30d", "--batch=0"), List.of("--older-than=36500d"))) {
            Run r = prune(env(dlq7d), args.toArray(String[]::new));
            assertThat(r.status).as(args.toString()).isEqualTo(2);
            assertThat(r.err).contains("usage: ops prune-outcomes --older-than=");
        }
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void eachBatchWalksThePrimaryKeyRange() throws Exception {
        try (Connection c = bed.connect(url); Statement st = c.createStatement()) {
            // enough rows that reading a batch through the index is the plan of choice, as it is in production
            st.execute("INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome)"
                    + " SELECT (lpad(to_hex(1700000000000 + g), 12, '0') || '70008' || lpad(to_hex(g), 15, '0'))::uuid,"
                    + " 'agent', gen_random_uuid(), 'agent.create', 'APPLIED' FROM generate_series(1, 200000) g");
            st.execute("ANALYZE factory.processed_events");
            for (String sql : List.of(OutcomePruner.DELETE_BATCH, OutcomePruner.COUNT_BATCH)) {
                String plan = explain(c, sql, Cut.before(Instant.now(), Duration.ofDays(30)));
                assertThat(plan).as(plan).contains("Index Scan using processed_events_pkey on processed_events")
                        .contains("Index Cond: ((event_id > ").doesNotContain("Seq Scan");
            }
        }
    }

    private static String explain(Connection c, String sql, Cut cut) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            ps.setObject(1, new UUID(0, 0));
            ps.setObject(2, cut.bound());
            ps.setInt(3, 10_000);
            ps.setObject(4, OffsetDateTime.ofInstant(cut.time(), ZoneOffset.UTC));
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }

    private record Run(int status, String out, String err) {
    }

    private Run prune(Map<String, String> env, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] status = new int[1];
        String err = OpsTestBed.stderrOf(() -> status[0] = PruneOutcomesCommand.run(List.of(args), env,
                new PrintStream(out, true, StandardCharsets.UTF_8)));
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        return new Run(status[0], text, err);
    }

    private Map<String, String> env(String dlqTopic) {
        Map<String, String> env = new HashMap<>(bed.env("unused", "unused"));
        env.put("FACTORY_DB_URL", url);
        env.put("FACTORY_INGEST_AGENT_TOPIC", writes);
        env.put("FACTORY_INGEST_PRD_TOPIC", writes);
        env.put("FACTORY_INGEST_DLQ_TOPIC", dlqTopic);
        return env;
    }

    private Set<UUID> rows() throws Exception {
        Set<UUID> ids = new TreeSet<>();
        try (Connection c = bed.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT event_id FROM factory.processed_events")) {
            while (rs.next()) {
                ids.add(rs.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    private static UUID insert(Connection c, UUID eventId, long processedAtMillis) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO factory.processed_events (event_id, entity_type,"
                + " entity_id, command_type, outcome, version, processed_at) VALUES (?, 'agent', ?, 'agent.create',"
                + " 'APPLIED', 1, ?)")) {
            ps.setObject(1, eventId);
            ps.setObject(2, UUID.randomUUID());
            ps.setObject(3, OffsetDateTime.ofInstant(Instant.ofEpochMilli(processedAtMillis), ZoneOffset.UTC));
            ps.executeUpdate();
        }
        return eventId;
    }

    /** A UUIDv7 of that millisecond with random bits, as a producer mints it. */
    private UUID v7(long unixMillis) {
        UUID lowest = EventIds.lowestAt(unixMillis);
        return new UUID(lowest.getMostSignificantBits() | random.nextInt(0x1000),
                lowest.getLeastSignificantBits() | random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL);
    }

    /** A random UUIDv4 whose first byte is {@code firstByte}, so it sorts below or above any cut of this century. */
    private UUID v4(int firstByte) {
        UUID u = UUID.randomUUID();
        long msb = u.getMostSignificantBits() & 0x00FF_FFFF_FFFF_FFFFL | (long) firstByte << 56;
        return new UUID(msb, u.getLeastSignificantBits());
    }
}
