package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.springframework.boot.convert.DurationStyle;

import dev.agentfactory.contracts.Topics;

/** docker-compose.yml agrees with the apps, the migrations, the Dockerfile targets and the topic contract. */
class ComposeConsistencyTest {

    private static final List<String> SERVICES = AppFacts.SERVICES;
    private static final Map<String, Object> compose = ProjectFiles.yaml("docker-compose.yml");

    @ParameterizedTest
    @FieldSource("SERVICES")
    void eachAppRunsItsOwnImageOnItsPortWithTheVariablesItReads(String module) {
        AppFacts app = AppFacts.of(module);
        Map<String, Object> service = service(module);

        assertThat(ProjectFiles.map(service, "build")).containsEntry("dockerfile", "deploy/Dockerfile")
                .containsEntry("target", module);
        assertThat((String) service.get("image")).matches(".*/" + module + ":\\$\\{[A-Z_]+:-[a-z]+}");
        Map<String, Object> env = ProjectFiles.map(service, "environment");
        assertThat(String.valueOf(env.get("PORT"))).isEqualTo(String.valueOf(app.port()));
        assertThat(ProjectFiles.list(service.get("ports"))).containsExactly(app.port() + ":" + app.port());

        assertThat(AppFacts.factoryNames(env.keySet())).as("variables %s sets that it never reads", module)
                .isSubsetOf(app.allowedEnvNames());
        assertThat(env.keySet()).as("connection variables %s reads (their defaults point at the local stack)", module)
                .containsAll(app.requiredEnvNames());

        List<Object> healthCheck = ProjectFiles.list(ProjectFiles.map(service, "healthcheck").get("test"));
        assertThat(healthCheck).startsWith("CMD", "healthcheck");
        assertThat(app.healthPaths()).contains((String) healthCheck.get(2));
        // healthy when Cloud Run would start routing to it: the consumers' readiness held no dependency, so one with a
        // wrong database password was healthy (CloudRunConsistencyTest)
        assertThat(healthCheck.get(2)).as(module + "'s health check, as its Cloud Run startup probe")
                .isEqualTo(ProjectFiles.map(CloudRunConsistencyTest.container(ProjectFiles.map(
                        ProjectFiles.yaml("deploy/cloudrun/" + module + ".yaml"), "spec", "template", "spec")),
                        "startupProbe", "httpGet").get("path"));
        assertThat(ProjectFiles.map(service, "depends_on", "migrate"))
                .containsEntry("condition", "service_completed_successfully");
    }

    @Test
    void migrationJobsSetExactlyWhatMigrationSettingsReads() {
        for (String job : List.of("migrate", "migrate-standby")) {
            Map<String, Object> service = service(job);
            assertThat((String) service.get("image")).contains("/db:");
            assertThat(ProjectFiles.list(service.get("command"))).containsExactly("migrate");
            assertThat(service.get("restart")).isEqualTo("no");
            assertThat(ProjectFiles.map(service, "environment").keySet()).as(job)
                    .isSubsetOf(AppFacts.migrationEnvNames())
                    .containsAll(AppFacts.required(AppFacts.migrationEnvNames()));
        }
        assertThat(ProjectFiles.map(service("migrate"), "build")).containsEntry("target", "db");
        assertThat(ProjectFiles.map(service("migrate-standby"), "environment").get("FACTORY_DB_URL"))
                .isEqualTo("jdbc:postgresql://postgres-standby:5432/factory");
    }

    /**
     * As in cloudbuild.yaml (CloudBuildConsistencyTest): the relay copies the primary's rows to the standby, so a column
     * a migration adds must exist there first. Compose migrated the primary first, and a running relay's standby sink
     * failed on the new column until migrate-standby ran.
     */
    @Test
    void theStandbyIsMigratedBeforeThePrimaryAndBothBeforeTheApps() {
        assertThat(ProjectFiles.map(service("migrate"), "depends_on", "migrate-standby"))
                .containsEntry("condition", "service_completed_successfully");
        assertThat(upstreamOf("migrate-standby")).as("the standby's migration must not wait for the primary's")
                .doesNotContain("migrate");
        for (String module : SERVICES) {
            assertThat(upstreamOf(module)).as(module).contains("migrate", "migrate-standby");
        }
    }

    /**
     * pg_isready without a host asks the Unix socket, and on a fresh volume the image's entrypoint runs a temporary
     * server (for POSTGRES_DB, the init scripts) that listens on the socket alone: the check passed while it ran, and
     * the migrations, which connect over TCP, could start before the real server accepted them.
     */
    @Test
    void postgresIsHealthyOnlyOnceItAcceptsTcpConnections() {
        for (String name : List.of("postgres", "postgres-standby")) {
            String check = String.join(" ", ProjectFiles.list(ProjectFiles.map(service(name), "healthcheck").get("test"))
                    .stream().map(String::valueOf).toList());
            assertThat(check).as(name).contains("pg_isready").containsPattern("(-h|--host=?) ?127\\.0\\.0\\.1")
                    .contains("-d factory");
        }
    }

    /** Every service this one waits for (depends_on), transitively. */
    private static Set<String> upstreamOf(String name) {
        Set<String> seen = new TreeSet<>();
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(name));
        while (!todo.isEmpty()) {
            Object dependsOn = service(todo.pop()).get("depends_on");
            if (dependsOn instanceof Map<?, ?> map) {
                map.keySet().forEach(dependency -> {
                    if (seen.add((String) dependency)) {
                        todo.push((String) dependency);
                    }
                });
            }
        }
        return seen;
    }

    @Test
    void theOpsToolGetsOnlyVariablesItOrTheMigrationsItRunsRead() {
        Map<String, Object> ops = service("ops");
        assertThat(ProjectFiles.map(ops, "build")).containsEntry("target", "ops");
        Set<String> allowed = new TreeSet<>(ProjectFiles.envLiteralsUnder("ops/src/main/java"));
        allowed.addAll(AppFacts.migrationEnvNames());
        allowed.addAll(AppFacts.announced("ops"));
        assertThat(ProjectFiles.map(ops, "environment").keySet()).isSubsetOf(allowed)
                .containsAll(AppFacts.required(AppFacts.migrationEnvNames()));
    }

    @Test
    void infrastructureIsPostgres15WithLogicalReplicationAStandbyKraftKafkaAndRedis7OnVolumes() {
        assertThat((String) service("postgres").get("image")).startsWith("postgres:15");
        assertThat(ProjectFiles.list(service("postgres").get("command"))).contains("wal_level=logical");
        assertThat((String) service("postgres-standby").get("image")).startsWith("postgres:15");
        assertThat((String) service("redis").get("image")).startsWith("redis:7");
        Map<String, Object> kafka = ProjectFiles.map(service("kafka"), "environment");
        assertThat((String) service("kafka").get("image")).startsWith("apache/kafka:");
        assertThat((String) kafka.get("KAFKA_PROCESS_ROLES")).contains("broker", "controller");
        assertThat(ProjectFiles.map(compose, "services").keySet()).noneMatch(name -> name.contains("zookeeper"));

        Set<String> declared = ProjectFiles.map(compose, "volumes").keySet();
        for (String stateful : List.of("postgres", "postgres-standby", "kafka", "redis")) {
            List<Object> mounts = ProjectFiles.list(service(stateful).get("volumes"));
            assertThat(mounts).as(stateful).hasSize(1);
            assertThat(declared).as(stateful).contains(mounts.get(0).toString().split(":")[0]);
        }
    }

    @Test
    void appsReachKafkaThroughTheAdvertisedInternalListenerAndTopicsFollowTheContract() {
        String advertised = (String) ProjectFiles.map(service("kafka"), "environment").get("KAFKA_ADVERTISED_LISTENERS");
        for (String module : SERVICES) {
            String bootstrap = (String) ProjectFiles.map(service(module), "environment").get("FACTORY_KAFKA_BOOTSTRAP");
            assertThat(advertised).as(module).contains("//" + bootstrap);
        }
        String topics = String.valueOf(service("kafka-topics").get("command"));
        Topics.all().forEach(spec -> assertThat(topics).contains(spec.name() + ":" + spec.partitions()));
        // the audit topics take events of two entities at the worker's size limit (a broker's 1 MiB would not)
        int loop = topics.lastIndexOf("for topic in");
        assertThat(loop).as("a loop setting topic configs").isNotNegative();
        String configured = topics.substring(loop);
        Topics.all().stream().filter(spec -> !spec.configs().isEmpty()).forEach(spec -> {
            assertThat(configured).as(spec.name()).contains(spec.name()).contains("kafka-configs.sh");
            spec.configs().forEach((name, value) -> assertThat(configured).as(spec.name()).contains(name + "=" + value));
        });
    }

    /**
     * Docker kills a container its stop_grace_period (10 s unless set) after SIGTERM; the relay's and the worker's stops
     * take up to their shutdown timeouts, 30 s unless set: the relay was killed before its last offset flush, the
     * worker before its batch in flight ended (rolled back and consumed again: no loss, but no graceful stop). The
     * gateway's graceful drain takes up to Spring's phase timeout, 30 s unless set: requests in flight were cut off.
     */
    @Test
    void theRelayTheWorkerAndTheGatewayStopWellBeforeDockerKillsThem() {
        assertStopsWithinGrace("cdc-relay", "FACTORY_CDC_SHUTDOWN_TIMEOUT");
        assertStopsWithinGrace("ingest-worker", "FACTORY_INGEST_SHUTDOWN_TIMEOUT");
        assertStopsWithinGrace("api-gateway", "SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE");
    }

    private static void assertStopsWithinGrace(String name, String variable) {
        Map<String, Object> app = service(name);
        Duration grace = app.containsKey("stop_grace_period")
                ? DurationStyle.detectAndParse(app.get("stop_grace_period").toString()) : Duration.ofSeconds(10);
        Object timeout = ProjectFiles.map(app, "environment").get(variable);
        assertThat(timeout).as(name + " " + variable).isNotNull();
        assertThat(DurationStyle.detectAndParse(timeout.toString())).isLessThanOrEqualTo(grace.minusSeconds(3));
    }

    private static Map<String, Object> service(String name) {
        return ProjectFiles.map(compose, "services", name);
    }
}
