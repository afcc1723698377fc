package dev.agentfactory.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster made from the machine's binaries ({@code initdb}, {@code pg_ctl}),
 * configured for logical replication. PostgreSQL refuses to run as root, so when we are root the
 * cluster belongs to, and runs as, an unprivileged OS user.
 */
public final class PostgresCluster {

    static final String IDLE_SLOTS = """
            SELECT slot_name, database, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn))
            FROM pg_replication_slots
            WHERE NOT active AND pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) > ?
            ORDER BY slot_name""";

    static final String DATABASE_SLOTS = "SELECT slot_name FROM pg_replication_slots WHERE database = ?";
    /** Ends the walsender streaming from a slot, if any: an active slot cannot be dropped. */
    static final String END_SLOT_SENDER = """
            SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
            WHERE slot_name = ? AND active_pid IS NOT NULL""";
    static final String DROP_SLOT = "SELECT pg_drop_replication_slot(?)";
    private static final String OBJECT_IN_USE = "55006";

    private static final List<Path> PG_DIRS = pgBinDirs();
    private static final Duration PG_TIMEOUT = Duration.ofSeconds(60);
    /**
     * TCP only, no Unix-domain socket: a socket path is limited to 107 bytes, and one in the data directory (where it
     * was) made PostgreSQL refuse to start under a checkout path of more than about 30 characters (a private stack
     * under ingest-worker/target/…). Everything here connects over TCP, and {@code pg_ctl -w} waits on
     * postmaster.pid. Passed at every start as well, for clusters created when the setting still named a directory.
     */
    static final String NO_UNIX_SOCKET = "-c unix_socket_directories=''";

    private final String name;
    private final Path dataDir;
    private final int port;
    private final StackSettings settings;
    /** Databases {@link #createDatabase} created through this object, for {@link #dropCreated}. */
    private final Set<String> created = ConcurrentHashMap.newKeySet();

    PostgresCluster(String name, Path dataDir, int port, StackSettings settings) {
        this.name = name;
        this.dataDir = dataDir;
        this.port = port;
        this.settings = settings;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Creates the cluster when it does not exist, starts it when it is not running, creates the database. */
    void ensureStarted() {
        if (!Files.isRegularFile(dataDir.resolve("PG_VERSION"))) {
            initdb();
        }
        if (!Ports.isOpen(port)) {
            start();
        } else if (!runningFromDataDir()) {
            // Reusing the listener is right only for this cluster left running by a killed stack process;
            // anything else (another checkout's cluster, a system PostgreSQL) would silently become "ours".
            throw new StackException("127.0.0.1:" + port + " is already taken, but not by the PostgreSQL " + name
                    + " cluster in " + dataDir + "; stop what listens there or choose another port with FACTORY_STACK_"
                    + name.toUpperCase(java.util.Locale.ROOT) + "_PORT");
        }
        createIfMissing(settings.database());
    }

    /** Whether this data directory's postmaster is alive and listening on this cluster's port. */
    private boolean runningFromDataDir() {
        try {
            // postmaster.pid: line 1 the postmaster's pid, line 4 its port
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return lines.size() >= 4 && Integer.parseInt(lines.get(3).trim()) == port
                    && ProcessHandle.of(Long.parseLong(lines.get(0).trim())).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private void initdb() {
        try {
            Files.createDirectories(dataDir.getParent());
            deleteRecursively(dataDir);
            Files.createDirectories(dataDir);
            Path pwFile = dataDir.getParent().resolve(name + ".pw");
            Files.writeString(pwFile, settings.superuserPassword() + "\n");
            handToOsUser(dataDir);
            handToOsUser(pwFile);
            Processes.run(Processes.asUser(settings.pgOsUser(), List.of(
                    binary("initdb").toString(), "-D", dataDir.toString(), "-U", settings.superuser(),
                    "--pwfile=" + pwFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                    "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")), PG_TIMEOUT);
            Files.deleteIfExists(pwFile);
            Files.writeString(dataDir.resolve("postgresql.auto.conf"), """
                    # written by local-stack
                    listen_addresses = '127.0.0.1'
                    port = %d
                    unix_socket_directories = ''
                    wal_level = logical
                    max_wal_senders = 16
                    max_replication_slots = 16
                    max_connections = 300
                    shared_buffers = 256MB
                    max_wal_size = 2GB
                    checkpoint_timeout = 15min
                    wal_sender_timeout = 30s
                    log_min_messages = warning
                    log_connections = off
                    """.formatted(port), StandardCharsets.UTF_8);
            handToOsUser(dataDir.resolve("postgresql.auto.conf"));
        } catch (IOException e) {
            throw new StackException("cannot create PostgreSQL cluster in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Starts the cluster and waits until it accepts connections. */
    public void start() {
        Processes.run(Processes.asUser(settings.pgOsUser(), List.of(
                binary("pg_ctl").toString(), "-D", dataDir.toString(), "-l", dataDir.resolve("server.log").toString(),
                "-o", NO_UNIX_SOCKET, "-w", "-t", "60", "start")), PG_TIMEOUT);
        Ports.awaitOpen(port, PG_TIMEOUT, "PostgreSQL " + name);
    }

    /**
     * Stops the cluster: {@code fast} shuts down cleanly, {@code immediate} simulates a crash
     * (no checkpoint; recovery replays WAL at the next start).
     */
    public void stop(String mode) {
        if (!Files.isRegularFile(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        Processes.succeeds(Processes.asUser(settings.pgOsUser(), List.of(
                binary("pg_ctl").toString(), "-D", dataDir.toString(), "-m", mode, "-w", "-t", "60", "stop")),
                PG_TIMEOUT);
        Ports.awaitClosed(port, PG_TIMEOUT, "PostgreSQL " + name);
    }

    /** A crash and recovery: immediate stop, then start. */
    public void crashAndRestart() {
        stop("immediate");
        start();
    }

    /** Stops the cluster hard and deletes its data directory: the primary is lost. */
    public void destroy() {
        stop("immediate");
        deleteRecursively(dataDir);
    }

    /**
     * Creates a database owned by the superuser unless it exists. One this call creates is remembered, so a
     * test run can drop what it made ({@link #dropCreated}); the stack's own database never is.
     */
    public void createDatabase(String database) {
        if (createIfMissing(database)) {
            created.add(database);
        }
    }

    private boolean createIfMissing(String database) {
        try (Connection c = connect("postgres")) {
            var rs = c.createStatement().executeQuery(
                    "SELECT 1 FROM pg_database WHERE datname = '" + database.replace("'", "''") + "'");
            if (rs.next()) {
                return false;
            }
            c.createStatement().execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
            return true;
        } catch (SQLException e) {
            throw new StackException("cannot create database " + database + " on " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Drops every database {@link #createDatabase} created through this object and nobody dropped since, with its
     * logical replication slots (ending a walsender still streaming from one). Best effort: a database that
     * cannot go stays, described in the returned list.
     */
    public List<String> dropCreated() {
        List<String> kept = new ArrayList<>();
        for (String database : List.copyOf(created)) {
            try {
                dropSlots(database);
                dropDatabase(database);
            } catch (StackException e) {
                kept.add(e.getMessage());
            }
        }
        return kept;
    }

    /**
     * Drops the logical replication slots of a database this run created (a relay test's Debezium slot): while
     * one names it the database cannot be dropped, and the slot would pin WAL for as long as the stack lives.
     */
    private void dropSlots(String database) {
        try (Connection c = connect("postgres")) {
            List<String> slots = new ArrayList<>();
            try (var ps = c.prepareStatement(DATABASE_SLOTS)) {
                ps.setString(1, database);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        slots.add(rs.getString(1));
                    }
                }
            }
            for (String slot : slots) {
                dropSlot(c, slot);
            }
        } catch (SQLException e) {
            throw new StackException("cannot drop the replication slots of database " + database + " on " + name
                    + ": " + e.getMessage(), e);
        }
    }

    private static void dropSlot(Connection c, String slot) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (var end = c.prepareStatement(END_SLOT_SENDER); var drop = c.prepareStatement(DROP_SLOT)) {
                end.setString(1, slot);
                end.execute();
                drop.setString(1, slot);
                drop.execute();
                return;
            } catch (SQLException e) {
                // A terminated walsender releases its slot a moment later; until then the drop says "in use".
                if (!OBJECT_IN_USE.equals(e.getSQLState()) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while dropping replication slot " + slot, e);
            }
        }
    }

    /** Drops a database, ending its sessions first. */
    public void dropDatabase(String database) {
        try (Connection c = connect("postgres")) {
            c.createStatement().execute("DROP DATABASE IF EXISTS \"" + database.replace("\"", "\"\"") + "\" WITH (FORCE)");
            created.remove(database);
        } catch (SQLException e) {
            throw new StackException("cannot drop database " + database + " on " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Idle replication slots holding more than {@code bytes} of WAL, described for a person. On a developer's
     * stack this is the relay slot of an earlier {@code bin/run}: while it pins WAL the server cannot recycle
     * segments and zero-fills new ones, which slows every write-heavy test and benchmark (the ingest worker
     * measured about 5 us more database CPU per event) and can fill the disk.
     */
    public List<String> idleSlotsPinningWal(long bytes) {
        List<String> slots = new ArrayList<>();
        try (Connection c = connect("postgres"); var ps = c.prepareStatement(IDLE_SLOTS)) {
            ps.setLong(1, bytes);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    String database = rs.getString(2);
                    slots.add("replication slot " + rs.getString(1) + " (" + (database == null ? "physical"
                            : "database " + database) + ") is idle and holds " + rs.getString(3) + " of WAL");
                }
            }
        } catch (SQLException e) {
            throw new StackException("cannot read the replication slots of " + name + ": " + e.getMessage(), e);
        }
        return slots;
    }

    /** A superuser connection to a database of this cluster. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(settings.jdbcUrl(port, database), settings.superuser(),
                settings.superuserPassword());
    }

    private void handToOsUser(Path path) {
        if (Processes.isRoot()) {
            Processes.run(List.of("chown", "-R", settings.pgOsUser(), path.toString()), PG_TIMEOUT);
        }
    }

    static Path binary(String program) {
        Path found = Processes.which(program, PG_DIRS);
        if (found == null && PostgresInstall.tryOnce()) {
            found = Processes.which(program, pgBinDirs()); // the install added /usr/lib/postgresql/<version>/bin
        }
        if (found == null) {
            throw new StackException("PostgreSQL 15 or newer is needed and '" + program + "' was not found on PATH"
                    + " or under /usr/lib/postgresql/*/bin. Install it: apt-get install -y postgresql"
                    + " (Debian/Ubuntu), or put its bin directory on PATH.");
        }
        return found;
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new StackException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> pgBinDirs() {
        List<Path> dirs = new ArrayList<>();
        Path base = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(base)) {
            try (Stream<Path> versions = Files.list(base)) {
                versions.sorted((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString()))
                        .forEach(v -> dirs.add(v.resolve("bin")));
            } catch (IOException ignored) {
                // no versioned install: PATH is all we have
            }
        }
        return dirs;
    }
}
