package dev.agentfactory.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the local stack listens and keeps its data. Every value can be overridden by a system
 * property ({@code factory.stack.kafka-port}) or an environment variable
 * ({@code FACTORY_STACK_KAFKA_PORT}), so two checkouts can run side by side.
 */
public record StackSettings(
        Path root,
        int kafkaPort,
        int kafkaControllerPort,
        int primaryPort,
        int standbyPort,
        int redisPort,
        int controlPort,
        String database,
        String superuser,
        String superuserPassword,
        String pgOsUser) {

    public static final int DEFAULT_KAFKA_PORT = 19092;
    public static final int DEFAULT_PRIMARY_PORT = 55432;
    public static final int DEFAULT_STANDBY_PORT = 55433;
    public static final int DEFAULT_REDIS_PORT = 16379;

    /** Settings from system properties and the environment, defaults from the design's port table. */
    public static StackSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static StackSettings fromEnvironment(Map<String, String> env) {
        Path projectRoot = projectRoot(env);
        // A relative directory is the checkout's, wherever the JVM runs (tests run in their module's directory)
        Path root = projectRoot.resolve(value(env, "dir", ".local-stack"));
        int kafkaPort = intValue(env, "kafka-port", DEFAULT_KAFKA_PORT);
        // The controller and control ports follow the broker's: a second stack given only its own Kafka port
        // must neither collide with the first one's controller nor find (and later stop) the first one's
        // stack process on its control port.
        return new StackSettings(
                root.toAbsolutePath().normalize(),
                kafkaPort,
                intValue(env, "kafka-controller-port", controllerPortBeside(kafkaPort)),
                intValue(env, "primary-port", DEFAULT_PRIMARY_PORT),
                intValue(env, "standby-port", DEFAULT_STANDBY_PORT),
                intValue(env, "redis-port", DEFAULT_REDIS_PORT),
                intValue(env, "control-port", controlPortBeside(kafkaPort)),
                value(env, "database", "factory"),
                value(env, "superuser", "postgres"),
                value(env, "superuser-password", "postgres"),
                value(env, "pg-os-user", "postgres"));
    }

    /**
     * Every port of a stack on the defaults, the stack process's own included, whatever this JVM is configured with:
     * the ports a test's own servers keep clear of ({@code FreePorts}).
     */
    public static List<Integer> defaultPorts() {
        return List.of(DEFAULT_KAFKA_PORT, controllerPortBeside(DEFAULT_KAFKA_PORT), DEFAULT_PRIMARY_PORT,
                DEFAULT_STANDBY_PORT, DEFAULT_REDIS_PORT, controlPortBeside(DEFAULT_KAFKA_PORT));
    }

    private static int controllerPortBeside(int kafkaPort) {
        return kafkaPort + 1;
    }

    private static int controlPortBeside(int kafkaPort) {
        return kafkaPort + 7;
    }

    public String kafkaBootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    public String jdbcUrl(int port, String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    public Path dataDir(String name) {
        return root.resolve(name);
    }

    /**
     * The port of each service the stack process runs, by its name, in the order {@code bin/stack status} lists them
     * (then the control port, the stack process's own).
     */
    public Map<String, Integer> servicePorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("kafka", kafkaPort);
        ports.put("primary", primaryPort);
        ports.put("standby", standbyPort);
        ports.put("redis", redisPort);
        return ports;
    }

    /**
     * The checkout's root: the {@code factory.root} property that the build sets, else the nearest
     * directory upwards holding {@code mvnw}, else the working directory.
     */
    static Path projectRoot(Map<String, String> env) {
        String configured = System.getProperty("factory.root", env.get("FACTORY_ROOT"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve(".mvn"))) {
                return p;
            }
        }
        return dir;
    }

    private static String value(Map<String, String> env, String key, String fallback) {
        String prop = System.getProperty("factory.stack." + key);
        if (prop != null && !prop.isBlank()) {
            return prop;
        }
        String envValue = env.get("FACTORY_STACK_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        return envValue != null && !envValue.isBlank() ? envValue : fallback;
    }

    private static int intValue(Map<String, String> env, String key, int fallback) {
        String raw = value(env, key, Integer.toString(fallback));
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("factory.stack." + key + " must be a port number, got '" + raw + "'");
        }
    }
}
