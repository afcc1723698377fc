package dev.agentfactory.platform.deploy;

import static dev.agentfactory.platform.deploy.CloudRunConsistencyTest.IMAGE_PREFIX;
import static dev.agentfactory.platform.deploy.CloudRunConsistencyTest.container;
import static dev.agentfactory.platform.deploy.CloudRunConsistencyTest.env;
import static dev.agentfactory.platform.deploy.CloudRunConsistencyTest.secretOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import dev.agentfactory.contracts.Topics;

/**
 * The scheduled ops jobs (deploy/cloudrun/backup-job.yaml, prune-outcomes-job.yaml) run the ops image's command the
 * runbook prescribes, against the primary, with exactly the settings ops reads: the services' Kafka security, the
 * topics of the service that owns them, secrets from Secret Manager, and the backups in a Cloud Storage bucket.
 */
class OpsJobsConsistencyTest {

    /**
     * One ops job: its manifest, the command, the package holding the command's options, and each topic variable it
     * reads with the contract topic ops falls back to, which must be the topic the owning service uses.
     */
    record OpsJob(String manifest, String name, String command, String optionsIn, String topicOwner,
                  Map<String, String> topics) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<OpsJob> OPS_JOBS = List.of(
            new OpsJob("backup-job.yaml", "factory-backup", "backup", "backup", "cdc-relay",
                    Map.of("FACTORY_CDC_AGENTS_AUDIT_TOPIC", Topics.AUDIT_AGENTS,
                            "FACTORY_CDC_PRDS_AUDIT_TOPIC", Topics.AUDIT_PRDS)),
            new OpsJob("prune-outcomes-job.yaml", "factory-prune-outcomes", "prune-outcomes", "prune", "ingest-worker",
                    Map.of("FACTORY_INGEST_AGENT_TOPIC", Topics.AGENT_WRITES,
                            "FACTORY_INGEST_PRD_TOPIC", Topics.PRD_WRITES,
                            "FACTORY_INGEST_DLQ_TOPIC", Topics.WRITES_DLQ)));

    /** What backup and prune-outcomes need to reach the primary and Kafka; the defaults point at the local stack. */
    private static final List<String> CONNECTION = List.of(
            "FACTORY_DB_URL", "FACTORY_DB_OWNER_USER", "FACTORY_DB_OWNER_PASSWORD", "FACTORY_KAFKA_BOOTSTRAP");
    private static final Set<String> OPS_READS = ProjectFiles.envLiteralsUnder("ops/src/main/java");
    private static final Pattern SSL_ROOT_CERT = Pattern.compile("sslrootcert=([^&]+)");

    @Test
    void everyJobManifestIsAMigrationJobOrAScheduledOpsJob() throws IOException {
        Set<String> jobs = new TreeSet<>();
        try (Stream<Path> files = Files.list(ProjectFiles.root().resolve("deploy/cloudrun"))) {
            files.map(file -> file.getFileName().toString()).filter(file -> file.endsWith(".yaml"))
                    .filter(file -> "Job".equals(ProjectFiles.yaml("deploy/cloudrun/" + file).get("kind")))
                    .forEach(jobs::add);
        }
        Set<String> known = new TreeSet<>(Set.of("migrate-job.yaml", "migrate-standby-job.yaml"));
        OPS_JOBS.forEach(job -> known.add(job.manifest()));
        assertThat(jobs).containsExactlyInAnyOrderElementsOf(known);
    }

    @ParameterizedTest
    @FieldSource("OPS_JOBS")
    void eachJobRunsTheRunbooksOpsCommandFromTheOpsImage(OpsJob job) {
        Map<String, Object> manifest = manifest(job);
        assertThat(manifest).containsEntry("kind", "Job");
        assertThat(ProjectFiles.map(manifest, "metadata")).containsEntry("name", job.name());
        Map<String, Object> container = container(podSpec(job));
        assertThat(container).containsEntry("image", IMAGE_PREFIX + "ops:${IMAGE_TAG}")
                .as("the image's entrypoint (java -jar /app/ops.jar) runs the command").doesNotContainKey("command");
        List<String> args = args(job);
        assertThat(args.get(0)).isEqualTo(job.command());
        assertThat(ProjectFiles.text("ops/src/main/java/dev/agentfactory/ops/OpsMain.java"))
                .contains("case \"" + job.command() + "\" ->");
        String options = ProjectFiles.javaSourcesUnder("ops/src/main/java/dev/agentfactory/ops/" + job.optionsIn());
        for (String arg : args.subList(1, args.size())) {
            assertThat(arg).as("options only in the --name=value form").matches("--[a-z-]+(=.+)?");
            assertThat(options).as("an option %s reads", job.command()).contains("\"" + arg.replaceAll("^--|=.*$", "") + "\"");
        }
        assertThat(ProjectFiles.text("docs/runbooks.md")).as("the runbook's daily command")
                .contains("bin/ops " + String.join(" ", args));
    }

    @ParameterizedTest
    @FieldSource("OPS_JOBS")
    void eachJobSetsOnlyWhatOpsReadsAndReachesThePrimaryAsTheMigrationJobDoes(OpsJob job) {
        Map<String, Map<String, Object>> env = env(container(podSpec(job)));
        assertThat(AppFacts.factoryNames(env.keySet())).as("variables ops never reads").isSubsetOf(OPS_READS);
        assertThat(env.keySet()).containsAll(CONNECTION);
        assertThat(env.keySet()).as("besides its own: the Kafka client variables ops reads, and the JVM's options")
                .allMatch(name -> name.startsWith("FACTORY_") || name.startsWith("SPRING_KAFKA_")
                        || name.equals("JDK_JAVA_OPTIONS"));
        CloudRunConsistencyTest.assertSecretsComeFromSecretManager(env);

        Map<String, Object> migrateSpec = ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/migrate-job.yaml"),
                "spec", "template", "spec", "template", "spec");
        Map<String, Map<String, Object>> migrateEnv = env(container(migrateSpec));
        assertThat(env.get("FACTORY_DB_URL")).as("the primary's direct connection").isEqualTo(migrateEnv.get("FACTORY_DB_URL"));
        assertThat(env.get("FACTORY_DB_OWNER_USER")).isEqualTo(migrateEnv.get("FACTORY_DB_OWNER_USER"));
        assertThat(secretOf(env, "FACTORY_DB_OWNER_PASSWORD")).isEqualTo(secretOf(migrateEnv, "FACTORY_DB_OWNER_PASSWORD"));
        for (String environment : List.of("dev", "staging", "prod")) {
            Matcher cert = SSL_ROOT_CERT.matcher(ProjectFiles.envFile("config/env/" + environment + ".env").get("FACTORY_DB_URL"));
            assertThat(cert.find()).as(environment + " sslrootcert").isTrue();
            assertThat(CloudRunConsistencyTest.mountedFiles(podSpec(job))).as(environment + " primary CA")
                    .containsEntry(cert.group(1), "factory-db-ca-cert");
        }
    }

    @ParameterizedTest
    @FieldSource("OPS_JOBS")
    void eachJobIsOneRetriedTaskOnTheVpcUnderItsOwnServiceAccount(OpsJob job) {
        Map<String, Object> annotations = ProjectFiles.map(manifest(job), "spec", "template", "metadata", "annotations");
        Map<String, Object> migrateAnnotations = ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/migrate-job.yaml"),
                "spec", "template", "metadata", "annotations");
        for (String egress : List.of("run.googleapis.com/network-interfaces", "run.googleapis.com/vpc-access-egress")) {
            assertThat(annotations).as("Kafka is on the VPC").containsEntry(egress, migrateAnnotations.get(egress));
        }
        Map<String, Object> jobSpec = ProjectFiles.map(manifest(job), "spec", "template", "spec");
        assertThat(jobSpec).as("one task: two runs at once would race").containsEntry("taskCount", 1).containsEntry("parallelism", 1);
        assertThat(podSpec(job)).containsKey("timeoutSeconds");
        assertThat((Integer) podSpec(job).get("maxRetries")).as("both commands are safe to retry").isPositive();
        assertThat((String) podSpec(job).get("serviceAccountName")).endsWith("@${PROJECT_ID}.iam.gserviceaccount.com")
                .as("not a service's identity: the job reads the owner's password")
                .doesNotStartWith("api-gateway@").doesNotStartWith("ingest-worker@").doesNotStartWith("cdc-relay@");
    }

    /** ops builds its Kafka clients from the services' variables (KafkaClients); a job without them cannot connect. */
    @ParameterizedTest
    @FieldSource("OPS_JOBS")
    void eachJobReachesKafkaWithTheServicesSecuritySettings(OpsJob job) {
        Map<String, Map<String, Object>> kafka = kafkaSecurity(env(container(podSpec(job))));
        assertThat(kafka).containsKeys("SPRING_KAFKA_SECURITY_PROTOCOL", "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG");
        for (String service : AppFacts.SERVICES) {
            Map<String, Object> spec = ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/" + service + ".yaml"), "spec", "template", "spec");
            assertThat(kafka).as("as %s", service).isEqualTo(kafkaSecurity(env(container(spec))));
        }
    }

    /** A topic the job reads must be the one its owner uses: the owner's manifest value, else its default. */
    @ParameterizedTest
    @FieldSource("OPS_JOBS")
    void eachJobReadsTheTopicsOfTheServiceThatOwnsThem(OpsJob job) {
        Map<String, Map<String, Object>> env = env(container(podSpec(job)));
        Map<String, Map<String, Object>> owner = env(container(ProjectFiles.map(
                ProjectFiles.yaml("deploy/cloudrun/" + job.topicOwner() + ".yaml"), "spec", "template", "spec")));
        job.topics().forEach((variable, contractTopic) -> {
            assertThat(OPS_READS).as("ops reads").contains(variable);
            String used = owner.containsKey(variable) ? (String) owner.get(variable).get("value")
                    : AppFacts.defaultOf(job.topicOwner(), variable);
            String read = env.containsKey(variable) ? (String) env.get(variable).get("value") : contractTopic;
            assertThat(read).as("%s of %s against %s", variable, job, job.topicOwner()).isEqualTo(used);
        });
    }

    @Test
    void theBackupJobWritesIntoTheMountedBucketAndKeepsTheAuditTopicsExplicit() {
        OpsJob backup = OPS_JOBS.stream().filter(job -> job.command().equals("backup")).findFirst().orElseThrow();
        Map<String, Object> podSpec = podSpec(backup);
        Map<String, Object> bucket = ProjectFiles.list(podSpec.get("volumes")).stream().map(v -> ProjectFiles.map(v))
                .filter(v -> v.containsKey("csi")).findFirst().orElseThrow(() -> new AssertionError("no Cloud Storage volume"));
        Map<String, Object> csi = ProjectFiles.map(bucket, "csi");
        assertThat(csi).containsEntry("driver", "gcsfuse.run.googleapis.com").doesNotContainEntry("readOnly", true);
        assertThat(ProjectFiles.map(csi, "volumeAttributes")).containsEntry("bucketName", "${BACKUP_BUCKET}");
        assertThat(ProjectFiles.map(manifest(backup), "spec", "template", "metadata", "annotations"))
                .as("Cloud Storage volumes").containsEntry("run.googleapis.com/execution-environment", "gen2");

        Map<String, Object> mount = ProjectFiles.list(container(podSpec).get("volumeMounts")).stream()
                .map(m -> ProjectFiles.map(m)).filter(m -> bucket.get("name").equals(m.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("the bucket is not mounted"));
        assertThat(mount).doesNotContainEntry("readOnly", true);
        Map<String, Map<String, Object>> env = env(container(podSpec));
        String dir = args(backup).stream().filter(arg -> arg.startsWith("--dir=")).map(arg -> arg.substring(6)).findFirst()
                .orElseGet(() -> env.containsKey("FACTORY_BACKUP_DIR") ? (String) env.get("FACTORY_BACKUP_DIR").get("value") : "backups");
        assertThat(dir + "/").as("the backups outlive the task").startsWith(mount.get("mountPath") + "/");
        assertThat(args(backup)).anyMatch(arg -> arg.startsWith("--keep=")).anyMatch(arg -> arg.startsWith("--max-age="));
        assertThat(env).containsKeys(backup.topics().keySet().toArray(String[]::new));
    }

    private static Map<String, Map<String, Object>> kafkaSecurity(Map<String, Map<String, Object>> env) {
        Map<String, Map<String, Object>> kafka = new TreeMap<>(env);
        kafka.keySet().removeIf(name -> !name.equals("SPRING_KAFKA_SECURITY_PROTOCOL")
                && !name.startsWith("SPRING_KAFKA_PROPERTIES_"));
        return kafka;
    }

    private static List<String> args(OpsJob job) {
        return ProjectFiles.list(container(podSpec(job)).get("args")).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> manifest(OpsJob job) {
        try {
            return ProjectFiles.yaml("deploy/cloudrun/" + job.manifest());
        } catch (UncheckedIOException e) {
            throw new AssertionError("no deploy/cloudrun/" + job.manifest(), e);
        }
    }

    private static Map<String, Object> podSpec(OpsJob job) {
        return ProjectFiles.map(manifest(job), "spec", "template", "spec", "template", "spec");
    }
}
