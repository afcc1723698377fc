package dev.agentfactory.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local stack: Kafka in this JVM, PostgreSQL primary and standby clusters and Redis as
 * processes of the machine. One stack process owns them; everything else (tests, {@code bin/run},
 * benchmarks) finds it through its control port and reuses it, so a whole build starts each
 * service once.
 */
public final class LocalStack {

    /** WAL an idle slot may hold before {@link #status()} warns about it. */
    public static final long PINNED_WAL_WARNING_BYTES = 1L << 30;

    private final StackSettings settings;
    private final KafkaBroker kafka;
    private final PostgresCluster primary;
    private final PostgresCluster standby;
    private final RedisServer redis;

    public LocalStack(StackSettings settings) {
        this.settings = withUsableOsUser(settings);
        this.kafka = new KafkaBroker(settings.dataDir("kafka"), settings.kafkaPort(), settings.kafkaControllerPort());
        Path pgBase = PgDataLocation.choose(this.settings);
        this.primary = new PostgresCluster("primary", pgBase.resolve("pg-primary"), settings.primaryPort(), this.settings);
        this.standby = new PostgresCluster("standby", pgBase.resolve("pg-standby"), settings.standbyPort(), this.settings);
        this.redis = new RedisServer(settings.dataDir("redis"), settings.redisPort());
    }

    /** The stack of the default settings (ports from the design, data under {@code .local-stack/}). */
    public static LocalStack fromEnvironment() {
        return new LocalStack(StackSettings.fromEnvironment());
    }

    /**
     * Returns the endpoints of the running stack, starting one in a detached process first when none
     * answers, and having the stack process start again whatever service of a degraded one is down. The
     * detached stack stays up for the next test JVM and the next build; {@code bin/stack down} stops it. A stack
     * process of another data directory on the same ports (another checkout's) is refused ({@link StackOwner}).
     */
    public StackEndpoints ensureRunning() {
        String status = StackControl.send(settings, "status");
        if (!"DOWN".equals(status)) {
            StackOwner.require(settings);
        }
        if (status.startsWith(StackHealth.DEGRADED)) {
            StackHealth.heal(settings, status, Duration.ofSeconds(120));
        } else if (!StackHealth.READY.equals(status)) {
            StackControl.spawnDetached(settings, Duration.ofSeconds(120));
        }
        return endpoints();
    }

    /**
     * Starts, in this process, every service that is not running: the stack process's start-up, and its {@code heal}
     * (each step leaves a running service be; Kafka lives in this process, so only Redis and PostgreSQL can be down).
     */
    void startAll() {
        try {
            Files.createDirectories(settings.root());
            settings.root().toFile().setExecutable(true, false);
            settings.root().toFile().setReadable(true, false);
        } catch (IOException e) {
            throw new StackException("cannot create " + settings.root() + ": " + e.getMessage(), e);
        }
        redis.ensureStarted();
        primary.ensureStarted();
        standby.ensureStarted();
        kafka.start();
    }

    /** Stops every service this stack runs, including PostgreSQL and Redis left by a killed stack process. */
    void stopAll() {
        kafka.stop();
        standby.stop("fast");
        primary.stop("fast");
        redis.stopOwn();
    }

    void restartKafka() {
        kafka.restart();
    }

    public StackSettings settings() {
        return settings;
    }

    public StackEndpoints endpoints() {
        return StackEndpoints.of(settings);
    }

    public PostgresCluster primary() {
        return primary;
    }

    public PostgresCluster standby() {
        return standby;
    }

    /** Restarts the broker inside the stack process, keeping its data (for broker-failure tests). */
    public void requestKafkaRestart() {
        StackOwner.require(settings);
        String answer = StackControl.send(settings, "restart-kafka");
        if (!"OK".equals(answer)) {
            throw new StackException("the stack process did not restart Kafka: " + answer);
        }
    }

    /**
     * Stops the stack: asks its process to stop, then stops whatever a killed process left behind. Refuses, stopping
     * nothing, when the stack process on its control port is another checkout's.
     */
    public void stop() {
        StackOwner.require(settings);
        StackControl.send(settings, "stop");
        Ports.awaitClosed(settings.controlPort(), Duration.ofSeconds(60), "the stack process");
        stopAll();
    }

    /** Deletes every data directory of the stack (it must be stopped). */
    public void wipe() {
        for (String dir : List.of("kafka", "redis")) {
            PostgresCluster.deleteRecursively(settings.dataDir(dir));
        }
        PostgresCluster.deleteRecursively(primary.dataDir());
        PostgresCluster.deleteRecursively(standby.dataDir());
    }

    /** Which services answer on their ports. */
    public String status() {
        StringBuilder out = new StringBuilder();
        Map<String, Integer> ports = new LinkedHashMap<>(settings.servicePorts());
        ports.put("control", settings.controlPort());
        ports.forEach((name, port) -> out.append("%-11s127.0.0.1:%d  %s\n".formatted(name, port,
                Ports.isOpen(port) ? "up" : "down")));
        return out + "data       " + settings.root() + walWarnings();
    }

    /**
     * The services of the stack process that do not answer on their ports, in {@link #status()}'s order. Not the
     * control port: the stack process answers there itself, and a probe of it from its own status would be accepted
     * by its one control thread as an empty command once that status is answered.
     */
    public List<String> down() {
        return settings.servicePorts().entrySet().stream().filter(e -> !Ports.isOpen(e.getValue()))
                .map(Map.Entry::getKey).toList();
    }

    /** The warnings {@code status} ends with: idle replication slots pinning more than 1 GB of WAL. */
    private String walWarnings() {
        if (!Ports.isOpen(settings.primaryPort())) {
            return "";
        }
        List<String> slots;
        try {
            slots = primary.idleSlotsPinningWal(PINNED_WAL_WARNING_BYTES);
        } catch (StackException e) {
            return "\nwarning: " + e.getMessage();   // starting up, say: status still answers
        }
        StringBuilder out = new StringBuilder();
        for (String slot : slots) {
            out.append("\nwarning: ").append(slot).append(" (writes are slower while it does: drop the slot, run the ")
                    .append("relay again, or bin/stack down --wipe)");
        }
        return out.toString();
    }

    public boolean allUp() {
        return down().isEmpty() && Ports.isOpen(settings.controlPort());
    }

    /** As root, PostgreSQL runs as {@code postgres} when that user exists, else as {@code nobody}. */
    private static StackSettings withUsableOsUser(StackSettings s) {
        if (!Processes.isRoot() || Processes.succeeds(List.of("id", "-u", s.pgOsUser()), Duration.ofSeconds(5))) {
            return s;
        }
        return new StackSettings(s.root(), s.kafkaPort(), s.kafkaControllerPort(), s.primaryPort(), s.standbyPort(),
                s.redisPort(), s.controlPort(), s.database(), s.superuser(), s.superuserPassword(), "nobody");
    }
}
