package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.springframework.boot.convert.DurationStyle;
import org.yaml.snakeyaml.Yaml;

/**
 * The Cloud Run service manifests and the migration jobs agree with the apps and the migrations (the scheduled ops
 * jobs: {@link OpsJobsConsistencyTest}).
 */
class CloudRunConsistencyTest {

    private static final List<String> SERVICES = AppFacts.SERVICES;
    static final String IMAGE_PREFIX = "${REGION}-docker.pkg.dev/${PROJECT_ID}/${ARTIFACT_REPO}/";
    /** Variables that must come from Secret Manager, never from a literal in the manifest. */
    private static final Pattern SECRET = Pattern.compile(".*(PASSWORD|SECRET|JAAS|REDIS_URL).*");

    @ParameterizedTest
    @FieldSource("SERVICES")
    void eachServiceRunsItsImageOnItsPortWithProbesOnItsHealthPaths(String module) {
        AppFacts app = AppFacts.of(module);
        Map<String, Object> manifest = ProjectFiles.yaml("deploy/cloudrun/" + module + ".yaml");
        assertThat(manifest).containsEntry("kind", "Service");
        assertThat(ProjectFiles.map(manifest, "metadata")).containsEntry("name", module);
        Map<String, Object> container = container(ProjectFiles.map(manifest, "spec", "template", "spec"));

        assertThat(container).containsEntry("image", IMAGE_PREFIX + module + ":${IMAGE_TAG}");
        assertThat(((Map<?, ?>) ((List<?>) container.get("ports")).get(0)).get("containerPort")).isEqualTo(app.port());
        for (String probe : List.of("startupProbe", "livenessProbe")) {
            Map<String, Object> get = ProjectFiles.map(container, probe, "httpGet");
            assertThat(app.healthPaths()).as(module + " " + probe).contains((String) get.get("path"));
            assertThat(get.get("port")).as(module + " " + probe).isEqualTo(app.port());
        }
        assertThat(ProjectFiles.map(container, "livenessProbe", "httpGet").get("path")).asString().endsWith("/liveness");
    }

    @ParameterizedTest
    @FieldSource("SERVICES")
    void eachServiceSetsTheVariablesItReadsAndTakesSecretsFromSecretManager(String module) {
        AppFacts app = AppFacts.of(module);
        Map<String, Map<String, Object>> env = env(container(
                ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/" + module + ".yaml"), "spec", "template", "spec")));

        assertThat(AppFacts.factoryNames(env.keySet())).as("variables %s sets that it never reads", module)
                .isSubsetOf(app.allowedEnvNames());
        // Cloud Run sets PORT itself, to the containerPort.
        assertThat(env.keySet()).containsAll(app.requiredEnvNames().stream().filter(n -> !n.equals("PORT")).toList());
        assertThat(env).containsEntry("SPRING_PROFILES_ACTIVE", Map.of("name", "SPRING_PROFILES_ACTIVE", "value", "gcp"));
        assertSecretsComeFromSecretManager(env);
    }

    /**
     * Cloud Run starts routing to a revision, and the build moves on, once its startup probe passes; an instance
     * that fails it is killed. Each service's probe asks a health group of what it cannot do its work without. The
     * consumers deliver nothing while any of their connections is down (the worker commits what it consumes, the
     * relay never skips a sink), so theirs hold all of them: the database and the broker, Redis for those that read
     * FACTORY_REDIS_URL, the standby for the relay. Their probes asked readiness, which held readinessState alone:
     * neither touches its database to start, so a revision with a wrong writer, replicator or standby password went
     * live. The gateway serves reads from PostgreSQL while Redis is down, and a Kafka outage fails its writes alone,
     * so its group holds the database and neither of them: its probe asked readiness (db, redis, kafka), and every
     * instance started during a Redis or Kafka outage (autoscaling, a redeploy, a crash restart) was killed. A
     * gateway revision that cannot reach them is still rolled back by the build's smoke check, which asks
     * /api/v1/health, every component.
     */
    @ParameterizedTest
    @FieldSource("SERVICES")
    void eachServicesStartupProbeAsksAHealthGroupOfWhatItCannotWorkWithout(String module) {
        AppFacts app = AppFacts.of(module);
        Map<String, Object> container = container(
                ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/" + module + ".yaml"), "spec", "template", "spec"));
        String startup = (String) ProjectFiles.map(container, "startupProbe", "httpGet").get("path");

        Set<String> connections = new TreeSet<>(List.of("db", "kafka"));
        if (app.envNames().contains("FACTORY_REDIS_URL")) {
            connections.add("redis");
        }
        if (app.envNames().contains("FACTORY_STANDBY_DB_URL")) {
            connections.add("standby");
        }
        Set<String> degradedWithout = module.equals("api-gateway") ? Set.of("redis", "kafka") : Set.of();
        assertThat(connections).as(module + " connects to").containsAll(degradedWithout);
        Set<String> needed = new TreeSet<>(connections);
        needed.removeAll(degradedWithout);
        needed.add("readinessState");

        Set<String> group = app.healthGroupOf(startup);
        assertThat(group).as(module + "'s startup probe " + startup).containsAll(needed)
                .noneMatch(degradedWithout::contains);
        if (!degradedWithout.isEmpty()) {
            assertThat(ProjectFiles.text("cloudbuild.yaml")).as("the smoke check asks the gateway's whole health")
                    .contains("\"$$url/api/v1/health\"");
        }
        String liveness = (String) ProjectFiles.map(container, "livenessProbe", "httpGet").get("path");
        assertThat(app.healthGroupOf(liveness)).as(module + "'s liveness: a dependency's outage restarts nothing")
                .doesNotContain("db", "kafka", "redis", "standby");
    }

    /**
     * deploy/release-order.sh refuses a build older than the release a service runs, read from its revision template's
     * factory_release_created label: every service's template carries it, rendered by render.sh from the key the
     * build's order step printed (a label value: [a-z0-9_-], at most 63 characters).
     */
    @ParameterizedTest
    @FieldSource("SERVICES")
    void eachServiceTemplateCarriesTheReleaseKeyRenderShRenders(String module, @TempDir Path out) throws Exception {
        Map<String, Object> labels = ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/" + module + ".yaml"),
                "spec", "template", "metadata", "labels");
        assertThat(labels).containsEntry("factory_release_created", "${RELEASE_CREATED}");

        Process render = new ProcessBuilder("bash", ProjectFiles.root().resolve("deploy/render.sh").toString(),
                "staging", "test-tag", "1714557600123456", out.toString()).redirectErrorStream(true).start();
        assertThat(render.waitFor(60, TimeUnit.SECONDS)).as("render.sh finished").isTrue();
        assertThat(render.exitValue()).as(new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        Map<String, Object> rendered = new Yaml().load(Files.readString(out.resolve(module + ".yaml")));
        assertThat(ProjectFiles.map(rendered, "spec", "template", "metadata", "labels"))
                .containsEntry("factory_release_created", "1714557600123456");
        assertThat(ProjectFiles.text("deploy/release-order.sh"))
                .contains("value(metadata.name,spec.template.metadata.labels.factory_release_created)");

        Process unkeyed = new ProcessBuilder("bash", ProjectFiles.root().resolve("deploy/render.sh").toString(),
                "staging", "test-tag", out.resolve("again").toString()).redirectErrorStream(true).start();
        assertThat(unkeyed.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(unkeyed.exitValue()).as("no release key, no manifests").isNotZero();
    }

    /** Cloud Run sends SIGKILL this long after SIGTERM. */
    static final Duration CLOUD_RUN_GRACE = Duration.ofSeconds(10);

    /** The variable that bounds each service's stop, as docker-compose.yml sets it (ComposeConsistencyTest). */
    static final Map<String, String> STOP_BUDGETS = Map.of(
            "ingest-worker", "FACTORY_INGEST_SHUTDOWN_TIMEOUT",
            "cdc-relay", "FACTORY_CDC_SHUTDOWN_TIMEOUT",
            "api-gateway", "SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE");

    /**
     * Compose's rule on Cloud Run: every stop budget a service sets is at most the grace period less 3 s, the rest of
     * the context's close (pools, producers, the relay's offset flush) taking the remainder. The worker had 8 s (compose
     * 6 s), and the gateway's and relay's phase timeouts 8 s; only "under 10 s" was checked.
     */
    @ParameterizedTest
    @FieldSource("SERVICES")
    void eachServiceStopsWithinCloudRunsGraceLessThreeSecondsAsUnderCompose(String module) {
        Map<String, Map<String, Object>> env = env(container(
                ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/" + module + ".yaml"), "spec", "template", "spec")));
        String budget = STOP_BUDGETS.get(module);
        assertThat(value(env, budget)).as(module + " " + budget).isNotNull();
        for (String variable : Set.copyOf(STOP_BUDGETS.values())) {
            if (env.containsKey(variable)) {
                assertThat(DurationStyle.detectAndParse(value(env, variable).toString())).as(module + " " + variable)
                        .isLessThanOrEqualTo(CLOUD_RUN_GRACE.minusSeconds(3));
            }
        }
    }

    /**
     * One variable drives the worker's listener container's wait and Spring's phase timeout (application.yml); setting
     * only the latter left the worker waiting its 30 s default while Spring moved on and Cloud Run killed it.
     */
    @Test
    void theWorkersStopIsSetByItsOwnVariableAlone() {
        Map<String, Map<String, Object>> env = env(container(
                ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/ingest-worker.yaml"), "spec", "template", "spec")));
        assertThat(env).doesNotContainKey("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE");
        assertThat(ProjectFiles.text("ingest-worker/src/main/resources/application.yml"))
                .contains("timeout-per-shutdown-phase: ${FACTORY_INGEST_SHUTDOWN_TIMEOUT:");
    }

    private static Object value(Map<String, Map<String, Object>> env, String name) {
        return env.get(name) == null ? null : env.get(name).get("value");
    }

    /**
     * The dashboard calls the gateway from its own origin, so without an allow-list every browser call fails CORS.
     * Spring compares an origin exactly, so an entry with a path or a trailing slash would never match.
     */
    @Test
    void theGatewayAllowsTheDashboardsOriginInEveryEnvironment() {
        Map<String, Map<String, Object>> env = env(container(
                ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/api-gateway.yaml"), "spec", "template", "spec")));
        assertThat(env.get("FACTORY_CORS_ALLOWED_ORIGINS")).as("FACTORY_CORS_ALLOWED_ORIGINS")
                .containsEntry("value", "${FACTORY_CORS_ALLOWED_ORIGINS}");
        for (String environment : List.of("dev", "staging", "prod")) {
            String origins = ProjectFiles.envFile("config/env/" + environment + ".env").get("FACTORY_CORS_ALLOWED_ORIGINS");
            assertThat(origins).as(environment).isNotBlank();
            assertThat(origins.split(",")).as(environment).allMatch(origin -> origin.matches("https://[a-z0-9.-]+(:[0-9]+)?"));
        }
    }

    /**
     * Every service works between requests: the worker and relay stream, and the gateway consumes the results topic
     * (its group's heartbeats) and exports metrics. Throttled CPU starves that work on an idle instance.
     */
    @Test
    void theRelayRunsAsExactlyOneAlwaysOnInstanceAndEveryServiceHasAlwaysAllocatedCpu() {
        Map<String, Object> relay = templateAnnotations("cdc-relay");
        assertThat(relay).containsEntry("autoscaling.knative.dev/minScale", "1")
                .containsEntry("autoscaling.knative.dev/maxScale", "1")
                .containsEntry("run.googleapis.com/cpu-throttling", "false");
        for (String module : SERVICES) {
            assertThat(templateAnnotations(module)).as(module)
                    .containsEntry("run.googleapis.com/cpu-throttling", "false")
                    .containsKeys("autoscaling.knative.dev/minScale", "autoscaling.knative.dev/maxScale");
            assertThat(ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/" + module + ".yaml"), "spec", "template", "spec"))
                    .as(module).containsKey("containerConcurrency");
        }
    }

    @Test
    void theMigrationJobRunsTheDbImageWithWhatMigrationSettingsReads() {
        Map<String, Object> job = ProjectFiles.yaml("deploy/cloudrun/migrate-job.yaml");
        assertThat(job).containsEntry("kind", "Job");
        Map<String, Object> container = container(ProjectFiles.map(job, "spec", "template", "spec", "template", "spec"));
        assertThat(container).containsEntry("image", IMAGE_PREFIX + "db:${IMAGE_TAG}")
                .containsEntry("args", List.of("migrate"));
        Map<String, Map<String, Object>> env = env(container);
        assertThat(env.keySet()).isSubsetOf(AppFacts.migrationEnvNames())
                .containsAll(AppFacts.required(AppFacts.migrationEnvNames()));
        assertSecretsComeFromSecretManager(env);
    }

    /**
     * The standby gets the same schema from its own job: its URL and owner, the writer password the relay's standby
     * sink logs in with, and the standby's own CA mounted where every environment's standby URL points.
     */
    @Test
    void theStandbyMigrationJobMigratesTheStandbyTheRelayWritesTo() {
        Map<String, Object> job = ProjectFiles.yaml("deploy/cloudrun/migrate-standby-job.yaml");
        assertThat(job).containsEntry("kind", "Job");
        Map<String, Object> podSpec = ProjectFiles.map(job, "spec", "template", "spec", "template", "spec");
        Map<String, Object> container = container(podSpec);
        assertThat(container).containsEntry("image", IMAGE_PREFIX + "db:${IMAGE_TAG}").containsEntry("args", List.of("migrate"));
        Map<String, Map<String, Object>> env = env(container);
        assertThat(env.keySet()).isSubsetOf(AppFacts.migrationEnvNames())
                .containsAll(AppFacts.required(AppFacts.migrationEnvNames()));
        assertSecretsComeFromSecretManager(env);
        assertThat(env.get("FACTORY_DB_URL")).containsEntry("value", "${FACTORY_STANDBY_DB_URL}");
        assertThat(env.get("FACTORY_DB_OWNER_USER")).containsEntry("value", "${FACTORY_STANDBY_DB_OWNER_USER}");
        assertThat(secretOf(env, "FACTORY_DB_OWNER_PASSWORD")).isNotEqualTo(
                secretOf(env(container(ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/migrate-job.yaml"),
                        "spec", "template", "spec", "template", "spec"))), "FACTORY_DB_OWNER_PASSWORD"));

        Map<String, Object> relaySpec = ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/cdc-relay.yaml"), "spec", "template", "spec");
        Map<String, Map<String, Object>> relayEnv = env(container(relaySpec));
        assertThat(relayEnv.get("FACTORY_STANDBY_DB_URL")).containsEntry("value", "${FACTORY_STANDBY_DB_URL}");
        assertThat(secretOf(env, "FACTORY_DB_WRITER_PASSWORD")).as("the standby's factory_writer password")
                .isEqualTo(secretOf(relayEnv, "FACTORY_STANDBY_DB_PASSWORD"));

        for (String environment : List.of("dev", "staging", "prod")) {
            String url = ProjectFiles.envFile("config/env/" + environment + ".env").get("FACTORY_STANDBY_DB_URL");
            assertThat(url).as(environment).contains("sslmode=verify-ca");
            java.util.regex.Matcher cert = Pattern.compile("sslrootcert=([^&]+)").matcher(url);
            assertThat(cert.find()).as(environment + " standby sslrootcert").isTrue();
            for (Map<String, Object> spec : List.of(podSpec, relaySpec)) {
                assertThat(mountedFiles(spec)).as(environment + " standby CA").containsKey(cert.group(1));
                assertThat(mountedFiles(spec).get(cert.group(1))).as("the standby's own CA, not the primary's")
                        .isNotEqualTo("factory-db-ca-cert");
            }
        }
    }

    static String secretOf(Map<String, Map<String, Object>> env, String name) {
        return (String) ProjectFiles.map(env.get(name), "valueFrom", "secretKeyRef").get("name");
    }

    /** Each file the pod spec's container sees from a secret volume, to that secret's name. */
    @SuppressWarnings("unchecked")
    static Map<String, String> mountedFiles(Map<String, Object> podSpec) {
        Map<String, String> secretByVolume = new LinkedHashMap<>();
        Map<String, List<String>> pathsByVolume = new LinkedHashMap<>();
        for (Map<String, Object> volume : (List<Map<String, Object>>) podSpec.get("volumes")) {
            if (!volume.containsKey("secret")) {
                continue; // e.g. a Cloud Storage volume
            }
            Map<String, Object> secret = ProjectFiles.map(volume, "secret");
            secretByVolume.put((String) volume.get("name"), (String) secret.get("secretName"));
            pathsByVolume.put((String) volume.get("name"), ((List<Map<String, Object>>) secret.get("items")).stream()
                    .map(item -> (String) item.get("path")).toList());
        }
        Map<String, String> files = new LinkedHashMap<>();
        for (Map<String, Object> mount : (List<Map<String, Object>>) container(podSpec).get("volumeMounts")) {
            String volume = (String) mount.get("name");
            pathsByVolume.getOrDefault(volume, List.of())
                    .forEach(path -> files.put(mount.get("mountPath") + "/" + path, secretByVolume.get(volume)));
        }
        return files;
    }

    static void assertSecretsComeFromSecretManager(Map<String, Map<String, Object>> env) {
        env.forEach((name, entry) -> {
            if (SECRET.matcher(name).matches()) {
                assertThat(entry).as(name).doesNotContainKey("value");
                assertThat(ProjectFiles.map(entry, "valueFrom", "secretKeyRef")).as(name).containsKeys("name", "key");
            }
        });
    }

    static Map<String, Object> templateAnnotations(String module) {
        return ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/" + module + ".yaml"),
                "spec", "template", "metadata", "annotations");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> container(Map<String, Object> podSpec) {
        List<Map<String, Object>> containers = (List<Map<String, Object>>) podSpec.get("containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> env(Map<String, Object> container) {
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        ((List<Map<String, Object>>) container.get("env")).forEach(entry -> byName.put((String) entry.get("name"), entry));
        return byName;
    }
}
