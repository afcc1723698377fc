package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cloudbuild.yaml's own lock, unlock and migrate-standby steps, run against a stand-in {@code gcloud} first on PATH
 * that keeps the lock object in a file (created only if absent, deleted only at its generation, as Cloud Storage's
 * preconditions do), answers each build's status from a file, and plays a Cloud Run job whose image is the one last
 * replaced. Nothing reaches Google Cloud. Two builds at once: B waits while A works, takes over once A has ended
 * without releasing, and a migration that ran another build's image fails its step. And in order: a build older than
 * the release the services run (their factory_release_created label, the stand-in's services file) stops before
 * migrating.
 */
class DeployLockScriptTest {

    private static final String STANDIN = """
            #!/usr/bin/env bash
            echo "$*" >> "$STANDIN/calls"
            case "$1 $2 $3" in
              "storage cp --if-generation-match=0")
                [ ! -f "$STANDIN/lock" ] || { echo "ERROR: HTTPError 412: precondition failed" >&2; exit 1; }
                cp "$4" "$STANDIN/lock"
                echo $(( $(cat "$STANDIN/generation" 2>/dev/null || echo 1000) + 1 )) > "$STANDIN/generation"
                exit 0 ;;
              "storage objects describe")
                [ -f "$STANDIN/lock" ] || { echo "ERROR: NotFound" >&2; exit 1; }
                cat "$STANDIN/generation"; exit 0 ;;
              "storage cat "*)
                [ -f "$STANDIN/lock" ] || { echo "ERROR: NotFound" >&2; exit 1; }
                cat "$STANDIN/lock"; exit 0 ;;
              "storage rm "*)
                if [ -f "$STANDIN/lock" ] && [ "$3" = "--if-generation-match=$(cat "$STANDIN/generation")" ]; then
                  rm "$STANDIN/lock"; exit 0
                fi
                echo "ERROR: HTTPError 412: precondition failed" >&2; exit 1 ;;
              "builds describe "*)
                if [[ "$*" == *"value(createTime)"* ]]; then
                  [ -f "$STANDIN/created-$3" ] || { echo "ERROR: NOT_FOUND" >&2; exit 1; }
                  cat "$STANDIN/created-$3"; exit 0
                fi
                [ -f "$STANDIN/build-$3" ] || { echo "ERROR: NOT_FOUND" >&2; exit 1; }
                cat "$STANDIN/build-$3"; exit 0 ;;
              "run services list")
                # each service's name and its template's factory_release_created label, tab-separated (value())
                [[ "$*" == *"value(metadata.name,spec.template.metadata.labels.factory_release_created)"* ]] \\
                  || { echo "stand-in gcloud: unexpected format: $*" >&2; exit 3; }
                cat "$STANDIN/services" 2>/dev/null; exit 0 ;;
              "run jobs replace")
                grep -o 'image: "[^"]*"' "$4" | cut -d'"' -f2 > "$STANDIN/job-image"
                # another build (or a person) replacing the shared job right after this one
                [ ! -f "$STANDIN/intruder" ] || cp "$STANDIN/intruder" "$STANDIN/job-image"
                exit 0 ;;
              "run jobs execute")
                cp "$STANDIN/job-image" "$STANDIN/execution-$4-x1"; echo "$4-x1"; exit 0 ;;
              "run jobs executions")
                cat "$STANDIN/execution-$5"; exit 0 ;;
            esac
            echo "stand-in gcloud: unexpected call: $*" >&2; exit 3
            """;

    /** Build A was created (an earlier merge) before build B; their createTimes and the keys order prints for them. */
    private static final String A_CREATED = "2024-05-01T10:00:00.123456789Z";
    private static final String B_CREATED = "2024-05-01T10:03:20.5Z";
    private static final String A_KEY = "1714557600123456";
    private static final String B_KEY = "1714557800500000";

    @TempDir
    Path dir;

    @BeforeEach
    void standInGcloud() throws IOException {
        Path gcloud = Files.writeString(Files.createDirectories(dir.resolve("bin")).resolve("gcloud"), STANDIN);
        Files.setPosixFilePermissions(gcloud, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("image-tag"), "abc1234\n");
        Files.writeString(dir.resolve("release-created"), B_KEY + "\n");
    }

    @Test
    void aSecondBuildWaitsWhileTheFirstHoldsTheLockAndDeploysOnceItIsReleased() throws Exception {
        assertThat(step("lock", "build-a").exit()).isZero();
        assertThat(Files.readString(dir.resolve("lock"))).isEqualTo("build-a global\n");
        status("build-a", "WORKING");

        Result waiting = step("lock", "build-b");
        assertThat(waiting.exit()).as(waiting.output()).isNotZero();
        assertThat(waiting.output()).contains("held by build build-a (WORKING); waiting")
                .contains("release it by hand: gcloud storage rm gs://agent-factory-staging_cloudbuild/deploy.lock");
        assertThat(Files.readString(dir.resolve("lock"))).as("still A's").startsWith("build-a ");

        Result release = step("unlock", "build-a");
        assertThat(release.exit()).as(release.output()).isZero();
        assertThat(dir.resolve("lock")).doesNotExist();
        assertThat(step("lock", "build-b").exit()).isZero();
        assertThat(Files.readString(dir.resolve("lock"))).startsWith("build-b ");
    }

    @Test
    void aLockLeftByABuildThatFailedIsTakenOverAtTheGenerationRead() throws Exception {
        assertThat(step("lock", "build-a").exit()).isZero();
        String generation = Files.readString(dir.resolve("generation")).strip();
        status("build-a", "FAILURE");

        Result takeover = step("lock", "build-b");

        assertThat(takeover.exit()).as(takeover.output()).isZero();
        assertThat(takeover.output()).contains("build build-a holding").contains("ended (FAILURE)");
        assertThat(Files.readString(dir.resolve("lock"))).startsWith("build-b ");
        assertThat(calls()).contains("storage rm --if-generation-match=" + generation
                + " gs://agent-factory-staging_cloudbuild/deploy.lock");
    }

    @Test
    void aBuildReleasesOnlyItsOwnLock() throws Exception {
        assertThat(step("lock", "build-a").exit()).isZero();

        Result other = step("unlock", "build-b");

        assertThat(other.exit()).isNotZero();
        assertThat(other.output()).contains("held by build build-a, not build-b");
        assertThat(Files.readString(dir.resolve("lock"))).startsWith("build-a ");
    }

    @Test
    void aMigrationThatRanTheImageThisBuildReplacedPasses() throws Exception {
        Result r = step("migrate-standby", "build-a");

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("execution factory-migrate-standby-x1 ran "
                + "europe-west1-docker.pkg.dev/agent-factory-staging/factory/db:abc1234");
    }

    /** Build B replaced the shared job between this build's replace and execute: its migrations are not this one's. */
    @Test
    void aMigrationThatRanAnotherBuildsImageFailsItsStep() throws Exception {
        Files.writeString(dir.resolve("intruder"), "europe-west1-docker.pkg.dev/agent-factory-staging/factory/db:other99\n");

        Result r = step("migrate-standby", "build-a");

        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("ran europe-west1-docker.pkg.dev/agent-factory-staging/factory/db:other99, not"
                + " this build's europe-west1-docker.pkg.dev/agent-factory-staging/factory/db:abc1234");
    }

    /**
     * Build B (a later merge) finished its tests first and deployed; build A then takes the lock. It must not migrate
     * (Flyway would skip B's newer migrations) nor put its older images over B's: the order step fails it, naming
     * both builds' times, and releases the lock at once for the next build.
     */
    @Test
    void anOlderBuildThanTheReleaseTheServicesRunIsRefusedBeforeItMigratesAndReleasesTheLock() throws Exception {
        created("build-a", A_CREATED);
        services("ingest-worker\t" + B_KEY, "cdc-relay\t" + B_KEY, "api-gateway\t" + B_KEY);
        assertThat(step("lock", "build-a").exit()).isZero();

        Result r = step("order", "build-a");

        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("already runs a newer release (build created 2024-05-01T10:03:20.500000Z) than"
                + " build build-a (created 2024-05-01T10:00:00.123456Z)");
        assertThat(dir.resolve("lock")).as("released for the next build").doesNotExist();
        assertThat(calls()).noneMatch(call -> call.startsWith("run jobs"));
    }

    /** One newer service is enough: a deploy that stopped part-way left the others on the older release. */
    @Test
    void anyServiceOnANewerReleaseRefusesTheBuild() throws Exception {
        created("build-a", A_CREATED);
        services("ingest-worker\t" + B_KEY, "cdc-relay\t", "api-gateway\t1714557500000000", "unrelated\t");

        Result r = step("order", "build-a");

        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("ingest-worker already runs a newer release");
    }

    @Test
    void aNewerBuildThanTheReleaseTheServicesRunDeploysAndRendersItsKeyOnEveryService() throws Exception {
        created("build-b", B_CREATED);
        services("ingest-worker\t" + A_KEY, "cdc-relay\t" + A_KEY, "api-gateway\t" + A_KEY);
        Files.delete(dir.resolve("release-created"));
        assertThat(step("lock", "build-b").exit()).isZero();

        Result r = step("order", "build-b");

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("build build-b (created 2024-05-01T10:03:20.500000Z) is not older than what runs"
                + " (created 2024-05-01T10:00:00.123456Z); deploying");
        assertThat(Files.readString(dir.resolve("release-created"))).isEqualTo(B_KEY + "\n");
        assertThat(Files.readString(dir.resolve("lock"))).as("still held for the release").startsWith("build-b ");
        assertThat(step("migrate-standby", "build-b").exit()).isZero();
        for (String service : AppFacts.SERVICES) {
            assertThat(Files.readString(dir.resolve("rendered/" + service + ".yaml"))).as(service)
                    .contains("factory_release_created: \"" + B_KEY + "\"");
        }
    }

    /** A first deploy, or services deployed before the release key existed: nothing to be older than. */
    @Test
    void servicesWithoutAReleaseKeyOrNoServicesAtAllOrderNothing() throws Exception {
        created("build-a", A_CREATED);
        Result none = step("order", "build-a");
        assertThat(none.exit()).as(none.output()).isZero();
        assertThat(Files.readString(dir.resolve("release-created"))).isEqualTo(A_KEY + "\n");

        services("ingest-worker\t", "cdc-relay\t", "api-gateway\t");
        Result unlabelled = step("order", "build-a");
        assertThat(unlabelled.exit()).as(unlabelled.output()).isZero();

        services("ingest-worker\t" + A_KEY, "cdc-relay\t" + A_KEY, "api-gateway\t" + A_KEY);
        Result same = step("order", "build-a");
        assertThat(same.exit()).as("the release this build itself deployed: " + same.output()).isZero();
    }

    private void created(String build, String createTime) throws IOException {
        Files.writeString(dir.resolve("created-" + build), createTime + "\n");
    }

    private void services(String... rows) throws IOException {
        Files.writeString(dir.resolve("services"), String.join("\n", rows) + "\n");
    }

    private void status(String build, String status) throws IOException {
        Files.writeString(dir.resolve("build-" + build), status + "\n");
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(dir.resolve("calls"));
    }

    /** One step of cloudbuild.yaml as Cloud Build runs it: substitutions filled, its /workspace in the temporary dir. */
    private Result step(String id, String buildId) throws IOException, InterruptedException {
        String script = CloudBuildConsistencyTest.script(id).replace("${_ENV}", "staging")
                .replace("$BUILD_ID", buildId).replace("$LOCATION", "global").replace("$SHORT_SHA", "")
                .replace("$$", "$").replace("/workspace/", dir + "/");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(ProjectFiles.root().toFile())
                .redirectErrorStream(true);
        pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("STANDIN", dir.toString());
        pb.environment().putAll(Map.of("DEPLOY_LOCK_WAIT", "1", "DEPLOY_LOCK_POLL", "1"));
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(id + " finished").isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Result(int exit, String output) {
    }
}
