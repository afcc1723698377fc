package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * cloudbuild.yaml tests, builds and pushes every image, migrates the standby and then the primary, deploys every
 * service, smoke-checks the gateway, and then points the scheduled ops jobs at the new image.
 */
class CloudBuildConsistencyTest {

    private static final String IMAGES = "api-gateway ingest-worker cdc-relay db ops";
    private static final Map<String, String> scripts = scripts();
    /** The manifests of this build's images and release key (deploy/release-order.sh, printed by the order step). */
    private static final String RENDER = "deploy/render.sh \"${_ENV}\" \"$$(cat /workspace/image-tag)\""
            + " \"$$(cat /workspace/release-created)\" /workspace/rendered";
    private static final String TRAFFIC_BEFORE = "/workspace/traffic-before";
    private static final String RESTORE_ON_FAILURE = "trap 'status=$$?; [ \"$$status\" = 0 ] || deploy/traffic.sh restore "
            + TRAFFIC_BEFORE + "; exit \"$$status\"' EXIT";

    @Test
    void theFullSuiteRunsBeforeAnythingIsPushed() {
        assertThat(scripts.get("test")).contains("./mvnw -B verify").contains("postgresql");
        assertThat(waitFor("push")).containsExactlyInAnyOrder("test", "images");
    }

    @Test
    void everyImageIsBuiltFromItsDockerfileTargetAndPushedWhereTheManifestsLookForIt() {
        assertThat(scripts.get("images")).contains("for image in " + IMAGES + ";")
                .contains("--file deploy/Dockerfile --target \"$$image\"");
        assertThat(scripts.get("push")).contains("for image in " + IMAGES + ";");
        String registry = "$${REGION}-docker.pkg.dev/$${PROJECT_ID}/$${ARTIFACT_REPO}";
        assertThat(scripts.get("images")).contains("registry=\"" + registry + "\"");
        assertThat(registry.replace("$$", "$") + "/").isEqualTo(CloudRunConsistencyTest.IMAGE_PREFIX);
    }

    @Test
    void theMigrationJobRunsBeforeTheServicesAreDeployed() {
        String job = (String) ProjectFiles.map(ProjectFiles.yaml("deploy/cloudrun/migrate-job.yaml"), "metadata").get("name");
        assertThat(stepsUpTo("migrate").stream().map(scripts::get)).anyMatch(script -> script.contains("deploy/render.sh \"${_ENV}\""));
        assertThat(scripts.get("migrate")).contains("gcloud run jobs replace /workspace/rendered/migrate-job.yaml")
                .contains("gcloud run jobs execute " + job + " ").contains("--wait");
        assertThat(waitFor("deploy")).containsExactly("migrate");
        // consumers first, the gateway (which publishes to them) last
        assertThat(List.of("ingest-worker", "cdc-relay", "api-gateway")).containsExactlyInAnyOrderElementsOf(AppFacts.SERVICES);
        assertThat(scripts.get("deploy")).contains("for service in ingest-worker cdc-relay api-gateway;")
                .contains("gcloud run services replace \"/workspace/rendered/$$service.yaml\"");
    }

    /**
     * The relay copies the primary's rows to the standby, so a column a migration adds must exist on the standby
     * before the primary (or a service deployed on it) can produce it; and on a fresh project the relay's standby
     * sink needs the schema and the factory_writer role there before it starts.
     */
    @Test
    void theStandbyIsMigratedBeforeThePrimaryAndBeforeTheServicesDeploy() {
        String primaryJob = jobName("deploy/cloudrun/migrate-job.yaml");
        String standbyJob = jobName("deploy/cloudrun/migrate-standby-job.yaml");
        String replaceStandby = "gcloud run jobs replace /workspace/rendered/migrate-standby-job.yaml";
        String executeStandby = "gcloud run jobs execute " + standbyJob + " ";
        String executePrimary = "gcloud run jobs execute " + primaryJob + " ";

        String standbyStep = stepRunning(executeStandby);
        String primaryStep = stepRunning(executePrimary);
        String standbyScript = scripts.get(standbyStep);
        assertThat(standbyScript).contains(replaceStandby).contains("--wait").contains("set -euo pipefail");
        assertThat(standbyScript.indexOf(replaceStandby)).isLessThan(standbyScript.indexOf(executeStandby));
        assertThat(standbyScript.substring(standbyScript.indexOf(executeStandby)).lines().findFirst().orElseThrow())
                .as("the standby job is waited for, so its failure fails the build").contains("--wait");
        // rendered (from the pushed tag) before the first job is replaced, and after the images are pushed
        assertThat(upstreamOf(standbyStep)).contains("push");
        assertThat(stepsUpTo(standbyStep).stream().map(scripts::get))
                .anyMatch(script -> script.contains(RENDER));

        if (standbyStep.equals(primaryStep)) {
            assertThat(standbyScript.indexOf(executeStandby)).as("standby before primary")
                    .isLessThan(standbyScript.indexOf(executePrimary));
        } else {
            assertThat(upstreamOf(primaryStep)).as("the primary's migration waits for the standby's").contains(standbyStep);
            assertThat(upstreamOf(standbyStep)).as("the standby's migration must not wait for the primary's")
                    .doesNotContain(primaryStep);
        }
        assertThat(upstreamOf("deploy")).contains(standbyStep, primaryStep);
    }

    /**
     * Cloud Scheduler starts the scheduled ops jobs; the build only points them at the new ops image, once the release
     * is live (a rolled-back release leaves them on the image matching the services it went back to).
     */
    @Test
    void theScheduledOpsJobsAreReplacedAfterTheSmokeCheckAndNeverExecuted() {
        for (OpsJobsConsistencyTest.OpsJob job : OpsJobsConsistencyTest.OPS_JOBS) {
            String replace = "gcloud run jobs replace /workspace/rendered/" + job.manifest() + " ";
            String step = stepRunning(replace);
            String script = scripts.get(step);
            assertThat(script).contains("set -euo pipefail")
                    .contains(replace + "--region \"$$REGION\" --project \"$$PROJECT_ID\"");
            assertThat(upstreamOf(step)).as("after the release is live").contains("deploy", "smoke");
            assertThat(upstreamOf(step).stream().map(scripts::get)).anyMatch(upstream -> upstream.contains(RENDER));
            assertThat(jobName("deploy/cloudrun/" + job.manifest())).isEqualTo(job.name());
            assertThat(ProjectFiles.text("cloudbuild.yaml")).as("the build never runs " + job.name())
                    .doesNotContain("jobs execute " + job.name()).doesNotContain("jobs/" + job.name() + ":run");
        }
    }

    @Test
    void theSmokeCheckCallsTheGatewayHealthAndRollsBackOnFailure() {
        assertThat(AppFacts.of("api-gateway").healthPaths()).contains("/api/v1/health");
        String smoke = scripts.get("smoke");
        assertThat(smoke).contains("gcloud run services describe api-gateway").contains("\"$$url/api/v1/health\"");
        assertThat(smoke.indexOf(RESTORE_ON_FAILURE)).as("restores on any failure, set before the first command that may fail")
                .isGreaterThan(-1).isLessThan(smoke.indexOf("gcloud run services describe api-gateway"));
        assertThat(waitFor("smoke")).containsExactly("deploy");
        // The consumers are not reachable from the build (internal ingress): the revision each serves must be the
        // one this build created, which their startup probes (CloudRunConsistencyTest) let become ready
        assertThat(smoke).contains("for service in ingest-worker cdc-relay;")
                .contains("value(status.latestCreatedRevisionName,status.latestReadyRevisionName)");
        assertThat(smoke.indexOf(RESTORE_ON_FAILURE)).isLessThan(smoke.indexOf("for service in ingest-worker cdc-relay;"));
    }

    /**
     * Each service's traffic split is recorded (deploy/traffic.sh) before it is replaced; {@link TrafficScriptTest}
     * runs this step to show that one failing part-way restores the services it replaced.
     */
    @Test
    void theDeployRecordsWhatEachServiceServesBeforeReplacingIt() {
        String deploy = scripts.get("deploy");
        String record = "deploy/traffic.sh record \"$$service\" " + TRAFFIC_BEFORE;
        String replace = "gcloud run services replace \"/workspace/rendered/$$service.yaml\"";
        assertThat(deploy).contains(": > " + TRAFFIC_BEFORE).contains(record).doesNotContain("latestReadyRevisionName");
        assertThat(deploy.indexOf(record)).isLessThan(deploy.indexOf(replace));
        assertThat(ProjectFiles.text("cloudbuild.yaml")).as("one way to roll back").doesNotContain("update-traffic");
    }

    /**
     * Two builds at once shared the migration jobs and the services: build B could replace factory-migrate between
     * A's replace and execute (A then ran B's migrations), and a failing build's traffic restore could undo a later
     * build's release. Every step that changes Cloud Run runs under the environment's deploy lock (deploy/lock.sh,
     * {@link DeployLockScriptTest}): taken before the first of them, released by the last step of the build.
     */
    @Test
    void everyStepThatChangesCloudRunRunsUnderTheDeployLock() {
        String acquire = "deploy/lock.sh acquire \"$BUILD_ID\" \"$LOCATION\"";
        String release = "deploy/lock.sh release \"$BUILD_ID\"";
        String lock = stepRunning(acquire);
        // the last step releases it; the order step also does when it refuses an older release, the build then failing
        String unlock = stepRunning(release + "\n");
        for (String step : List.of(lock, unlock)) {
            assertThat(scripts.get(step)).contains("set -euo pipefail").contains(". \"config/env/${_ENV}.env\"");
        }
        List<String> changing = scripts.entrySet().stream()
                .filter(e -> e.getValue().matches("(?s).*gcloud run (jobs|services) (replace|execute|add-iam-policy-binding).*")
                        || e.getValue().contains("deploy/traffic.sh"))
                .map(Map.Entry::getKey).toList();
        assertThat(changing).contains("migrate-standby", "migrate", "deploy", "smoke", "ops-jobs");
        for (String step : changing) {
            assertThat(upstreamOf(step)).as(step + " waits for the lock").contains(lock);
            assertThat(upstreamOf(unlock)).as("the lock is released after " + step).contains(step);
        }
        List<String> ids = steps().stream().map(step -> (String) step.get("id")).toList();
        assertThat(ids).as("the unlock step is the build's last").last().isEqualTo(unlock);
        assertThat(upstreamOf(unlock)).as("every other step ends before the lock is released")
                .containsAll(ids.subList(0, ids.size() - 1));
        for (String environment : List.of("dev", "staging", "prod")) {
            assertThat(ProjectFiles.envFile("config/env/" + environment + ".env").get("DEPLOY_LOCK")).as(environment)
                    .matches("gs://[^/]+/.+");
        }
    }

    /**
     * The lock runs one build at a time, not the oldest first: an older build that waited while a newer one deployed
     * would migrate (Flyway skipping the newer migrations) and deploy its older images over the newer release. The
     * order step (deploy/release-order.sh, {@link DeployLockScriptTest}) runs under the lock, before the first
     * migration, releases the lock when it refuses, and its key is what render.sh puts on the services.
     */
    @Test
    void anOlderReleaseIsRefusedUnderTheLockBeforeAnyMigration() {
        String check = "deploy/release-order.sh check \"$BUILD_ID\" \"$LOCATION\" > /workspace/release-created";
        String order = stepRunning(check);
        String lock = stepRunning("deploy/lock.sh acquire ");
        String script = scripts.get(order);
        assertThat(script).contains("set -euo pipefail").contains(". \"config/env/${_ENV}.env\"")
                .contains("|| { status=$$?; deploy/lock.sh release \"$BUILD_ID\" || true; exit \"$$status\"; }");
        assertThat(upstreamOf(order)).as("checked while holding the lock").contains(lock);
        for (String migration : List.of("migrate-standby", "migrate")) {
            assertThat(upstreamOf(migration)).as(migration + " after the order check").contains(order);
            assertThat(upstreamOf(order)).doesNotContain(migration);
        }
        List<String> ids = steps().stream().map(step -> (String) step.get("id")).toList();
        assertThat(ids.indexOf(order)).isEqualTo(ids.indexOf(lock) + 1).isLessThan(ids.indexOf("migrate-standby"));
        assertThat(stepRunning(RENDER)).isEqualTo("migrate-standby");
    }

    /**
     * The lock keeps builds apart; each migration also proves it ran this build's db image (deploy/execution-image.sh):
     * whatever replaced the shared job between this build's replace and execute is what the execution ran.
     */
    @Test
    void eachMigrationChecksItsExecutionRanThisBuildsImage() {
        String image = "image=\"$${REGION}-docker.pkg.dev/$${PROJECT_ID}/$${ARTIFACT_REPO}/db:$$(cat /workspace/image-tag)\"";
        assertThat(image.replace("$$", "$")).contains(CloudRunConsistencyTest.IMAGE_PREFIX + "db:");
        for (String manifest : List.of("deploy/cloudrun/migrate-standby-job.yaml", "deploy/cloudrun/migrate-job.yaml")) {
            String execute = "execution=$$(gcloud run jobs execute " + jobName(manifest) + " ";
            String script = scripts.get(stepRunning(execute));
            String executeLine = script.substring(script.indexOf(execute)).lines().findFirst().orElseThrow();
            assertThat(executeLine).contains("--wait").contains("--format 'value(metadata.name)')");
            String check = "deploy/execution-image.sh \"$$execution\" \"$$image\"";
            assertThat(script).contains(image).contains(check).contains("set -euo pipefail");
            assertThat(script.indexOf(check)).as(manifest).isGreaterThan(script.indexOf(execute));
        }
        assertThat(ProjectFiles.text("deploy/cloudrun/migrate-job.yaml"))
                .contains(CloudRunConsistencyTest.IMAGE_PREFIX + "db:${IMAGE_TAG}");
    }

    private static String jobName(String manifest) {
        return (String) ProjectFiles.map(ProjectFiles.yaml(manifest), "metadata").get("name");
    }

    /** The one step whose script contains the command. */
    private static String stepRunning(String command) {
        List<String> ids = scripts.entrySet().stream().filter(e -> e.getValue().contains(command)).map(Map.Entry::getKey).toList();
        assertThat(ids).as("steps running '%s'", command).hasSize(1);
        return ids.get(0);
    }

    /** The step and every step before it in the file. */
    private static List<String> stepsUpTo(String id) {
        List<String> ids = steps().stream().map(step -> (String) step.get("id")).toList();
        return ids.subList(0, ids.indexOf(id) + 1);
    }

    /**
     * Every step that must have finished before this one starts, transitively. Cloud Build: waitFor ["-"] starts at
     * once, no waitFor waits for every step before it in the file.
     */
    @SuppressWarnings("unchecked")
    private static Set<String> upstreamOf(String id) {
        List<Map<String, Object>> steps = steps();
        List<String> order = steps.stream().map(step -> (String) step.get("id")).toList();
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(id));
        while (!todo.isEmpty()) {
            String current = todo.pop();
            Map<String, Object> step = steps.get(order.indexOf(current));
            List<String> direct = step.containsKey("waitFor") ? (List<String>) step.get("waitFor")
                    : order.subList(0, order.indexOf(current));
            for (String dependency : direct) {
                if (!dependency.equals("-") && seen.add(dependency)) {
                    todo.push(dependency);
                }
            }
        }
        return seen;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps() {
        return (List<Map<String, Object>>) ProjectFiles.yaml("cloudbuild.yaml").get("steps");
    }

    @SuppressWarnings("unchecked")
    private static List<String> waitFor(String id) {
        return steps().stream().filter(step -> id.equals(step.get("id"))).findFirst()
                .map(step -> (List<String>) step.get("waitFor")).orElseThrow();
    }

    /** One step's bash script, as in cloudbuild.yaml (Cloud Build's $$ escapes and substitutions unresolved). */
    static String script(String id) {
        return scripts.get(id);
    }

    /** Each step's id to its bash script (the argument after -c). */
    private static Map<String, String> scripts() {
        return steps().stream().collect(Collectors.toMap(step -> (String) step.get("id"),
                step -> String.valueOf(((List<?>) step.get("args")).get(1))));
    }
}
