package dev.agentfactory.ops;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.ops.backup.BackupCommand;
import dev.agentfactory.ops.backup.Manifest;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.Poll;

/**
 * What every ops integration test sets up on a stack (the shared one or a private one): its own migrated
 * databases, superuser queries on them, and its own topics, created only once the broker has a leader for each
 * partition. Public because the tests of {@code ops.dlq}, {@code ops.failover} and {@code ops.replay} use it too.
 */
public final class OpsTestBed {

    /** How long a test relay may take to start streaming or to confirm a position. */
    private static final Duration RELAY_TIMEOUT = Duration.ofSeconds(120);

    private final StackEndpoints endpoints;
    private final LocalStack stack;

    public OpsTestBed(StackEndpoints endpoints, LocalStack stack) {
        this.endpoints = endpoints;
        this.stack = stack;
    }

    /** A suffix that keeps one run's databases, roles and topics apart from another's (valid in all three). */
    public static String suffix() {
        return Long.toString(System.nanoTime() % 100_000_000L, 36);
    }

    /** Creates {@code database}, empty, on the primary; returns its URL. */
    public String createDatabase(String database) {
        stack.primary().createDatabase(database);
        return endpoints.primaryJdbcUrl(database);
    }

    /** Creates {@code database} on the primary, migrates it with the superuser as owner, returns its URL. */
    public String migratedDatabase(String database) {
        String url = createDatabase(database);
        migrate(url);
        return url;
    }

    /** Migrates the (existing) database at {@code url}, on either cluster, with the superuser as owner. */
    public void migrate(String url) {
        new Migrations(MigrationSettings.fromEnvironment(Map.of("FACTORY_DB_OWNER_USER", endpoints.superuser(),
                "FACTORY_DB_OWNER_PASSWORD", endpoints.superuserPassword())).withUrl(url)).migrate();
    }

    public void dropDatabase(String database) {
        stack.primary().dropDatabase(database);
    }

    /**
     * Creates {@code database} on the primary, migrated, its factory tables and functions owned by {@code role}, a
     * login role of its own without superuser rights ({@link OwnerDatabase}); closing it drops both.
     */
    public OwnerDatabase ownerDatabase(String database, String role) throws SQLException {
        return OwnerDatabase.create(this, database, role);
    }

    /**
     * The password {@link OwnerDatabase} gives its role: not its name, since the CLIs mask the owner's password
     * wherever it appears in what they print, role names included.
     */
    public static String ownerPassword(String role) {
        return role + "-pw";
    }

    /** Drops a role of the test's own, once the databases whose objects it owned are gone. */
    public void dropRole(String role) throws SQLException {
        execute(endpoints.primaryJdbcUrl("postgres"), "DROP ROLE IF EXISTS " + role);
    }

    /** The ops CLI's environment on this stack: the superuser as the tables' owner, the given audit topics. */
    public Map<String, String> env(String agentsTopic, String prdsTopic) {
        // a results topic of no one's: other tests' outcomes on the shared stack are not this replay's to rebuild
        return Map.of("FACTORY_DB_OWNER_USER", endpoints.superuser(), "FACTORY_DB_OWNER_PASSWORD",
                endpoints.superuserPassword(), "FACTORY_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrap(),
                "FACTORY_CDC_AGENTS_AUDIT_TOPIC", agentsTopic, "FACTORY_CDC_PRDS_AUDIT_TOPIC", prdsTopic,
                "FACTORY_INGEST_RESULTS_TOPIC", agentsTopic + ".results-none");
    }

    /** Publishes audit events ({@link AuditEvents}) to {@code topic}, keyed by their entity's id as the relay does. */
    public void publish(String topic, List<Map<String, Object>> events) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                endpoints.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
            for (Map<String, Object> e : events) {
                p.send(new ProducerRecord<>(topic, (String) e.get("id"), AuditEvents.json(e))).get();
            }
        }
    }

    /**
     * A backup of the database at {@code url} (its files, as {@code ops backup} writes them, with the ops CLI's
     * environment {@code env}) whose manifest then records {@code taken} and {@code auditOffsets}: the backup a test's
     * hand-written audit events place. {@code ops replay --backup} checks that its target holds what the backup
     * holds, so a manifest without the files no longer serves.
     */
    public static Path backupAt(Path root, String url, Map<String, String> env, Instant taken,
                                Map<String, Map<Integer, Long>> auditOffsets) throws Exception {
        Path dir = BackupCommand.create(root, url, OpsSettings.fromEnvironment(env));
        Manifest m = Manifest.read(dir);
        new Manifest(m.format(), taken, m.source(), m.snapshotLsn(), m.schemaVersion(), auditOffsets, m.tables())
                .write(dir);
        return dir;
    }

    public Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
    }

    /** The first column of the first row, as text; null when there is no row. */
    public String query(String url, String sql) throws SQLException {
        try (Connection c = connect(url)) {
            return scalar(c, sql);
        }
    }

    public void execute(String url, String sql) throws SQLException {
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The first column of the first row, as text; null when there is no row. */
    public static String scalar(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * Waits until a relay streams from {@code slot} of the cluster {@code url} names (any of its databases): every
     * write from now on reaches its sinks. {@code relayLog}: where to look when it does not.
     */
    public void awaitRelayStreaming(String url, String slot, Path relayLog) {
        await(RELAY_TIMEOUT, "the relay streaming; see " + relayLog, () -> query(url,
                "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'") != null);
    }

    /** Waits until the relay on {@code slot} confirmed {@code lsn}: what was committed before it reached every sink. */
    public void awaitRelayConfirmed(String url, String slot, String lsn, Path relayLog) {
        await(RELAY_TIMEOUT, "the relay confirming " + lsn + "; see " + relayLog, () -> "t".equals(query(url,
                "SELECT confirmed_flush_lsn >= '" + lsn + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '"
                        + slot + "'")));
    }

    /** Drops {@code slot} of the cluster {@code url} names, if it is there, ending the session that streams from it. */
    public void dropSlot(String url, String slot) throws SQLException {
        execute(url, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot
                + "' AND active_pid IS NOT NULL");
        await(Duration.ofSeconds(10), "slot " + slot + " released", () -> query(url, "SELECT count(*)::text FROM "
                + "pg_replication_slots WHERE slot_name = '" + slot + "' AND active").equals("0"));
        execute(url, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot
                + "'");
    }

    /** A condition checked against the databases or the broker, which may throw. */
    public interface Check {
        boolean holds() throws Exception;
    }

    /** {@link Poll#until} for a check that may throw: a failing check fails the wait at once. */
    public static void await(Duration timeout, String what, Check check) {
        Poll.until(timeout, what, () -> {
            try {
                return check.holds();
            } catch (Exception e) {
                throw new IllegalStateException("checking " + what, e);
            }
        });
    }

    /** A piece of a test that may throw. */
    public interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with System.err captured; returns what it wrote (and still shows it on the real stderr). */
    public static String stderrOf(Body body) throws Exception {
        return captured(System.err, System::setErr, body);
    }

    /** Runs {@code body} with System.out captured; returns what it wrote (and still shows it on the real stdout). */
    public static String stdoutOf(Body body) throws Exception {
        return captured(System.out, System::setOut, body);
    }

    private static String captured(PrintStream old, java.util.function.Consumer<PrintStream> set, Body body)
            throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        set.accept(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            set.accept(old);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        old.print(text);
        return text;
    }

    public static void deleteRecursively(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
