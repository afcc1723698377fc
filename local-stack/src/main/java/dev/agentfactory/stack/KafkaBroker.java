package dev.agentfactory.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import dev.agentfactory.contracts.Topics;

/**
 * A real Apache Kafka broker in this JVM: one node in KRaft combined mode (broker and controller),
 * formatted on first start and kept on disk, so a restart keeps topics, offsets and records.
 */
public final class KafkaBroker {

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;

    KafkaBroker(Path logDir, int port, int controllerPort) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    synchronized void start() {
        if (server != null) {
            return;
        }
        if (Ports.isOpen(port)) {
            throw new StackException("127.0.0.1:" + port + " is already taken; stop what listens there"
                    + " or set FACTORY_STACK_KAFKA_PORT");
        }
        try {
            Properties props = config();
            if (!Files.isRegularFile(logDir.resolve("meta.properties"))) {
                Files.createDirectories(logDir);
                new Formatter()
                        .setClusterId(Uuid.randomUuid().toString())
                        .setNodeId(1)
                        .setControllerListenerName("CONTROLLER")
                        .setMetadataLogDirectory(logDir.toString())
                        .setDirectories(Set.of(logDir.toString()))
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                        .run();
            }
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            Ports.awaitOpen(port, Duration.ofSeconds(30), "Kafka");
            createTopics();
        } catch (StackException e) {
            throw e;
        } catch (Exception e) {
            throw new StackException("cannot start Kafka in " + logDir + ": " + e.getMessage(), e);
        }
    }

    synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
        Ports.awaitClosed(port, Duration.ofSeconds(30), "Kafka");
    }

    /** Stops and starts the broker, keeping its data: a broker restart as operators see it. */
    synchronized void restart() {
        stop();
        start();
    }

    private Properties config() {
        Properties p = new Properties();
        p.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("log.dirs", logDir.toString()),
                Map.entry("num.partitions", Integer.toString(Topics.WRITE_PARTITIONS)),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "10"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("transaction.state.log.num.partitions", "4"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("log.flush.interval.messages", Long.toString(Long.MAX_VALUE)),
                Map.entry("message.max.bytes", Integer.toString(2 * 1024 * 1024)),
                Map.entry("auto.create.topics.enable", "true")));
        return p;
    }

    /**
     * The contract's topics with their configs; a topic already there (a stack started before a config was added)
     * gets its configs set, so the audit topics take the events the relay sends whatever the data directory's age.
     */
    private void createTopics() throws Exception {
        try (Admin admin = StackTopics.admin("127.0.0.1:" + port)) {
            Set<String> existing = admin.listTopics().names().get();
            for (Topics.Spec spec : Topics.all()) {
                if (!existing.contains(spec.name())) {
                    StackTopics.create(admin, Map.of(spec.name(), spec.partitions()), spec.configs());
                } else if (!spec.configs().isEmpty()) {
                    admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()),
                            spec.configs().entrySet().stream().map(c -> new AlterConfigOp(
                                    new ConfigEntry(c.getKey(), c.getValue()), AlterConfigOp.OpType.SET)).toList()))
                            .all().get();
                }
            }
        }
    }
}
