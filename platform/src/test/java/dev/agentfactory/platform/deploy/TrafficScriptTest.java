package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/traffic.sh, which cloudbuild.yaml's deploy and smoke steps roll back with, puts each service back on the
 * traffic split it served before the build. Run against a stand-in {@code gcloud} first on PATH that answers
 * {@code describe} from a file per service (or as gcloud does for a service that does not exist) and logs every
 * call, so nothing reaches Google Cloud.
 */
class TrafficScriptTest {

    /** What a service serves after a rolled-back build: 90/10 on two old revisions, the bad one latest ready. */
    private static final String SPLIT_AFTER_A_ROLLBACK = """
            {"metadata": {"name": "api-gateway"},
             "status": {"latestReadyRevisionName": "api-gateway-00003-bad",
                        "traffic": [{"revisionName": "api-gateway-00001-aaa", "percent": 90},
                                    {"revisionName": "api-gateway-00002-bbb", "percent": 10},
                                    {"revisionName": "api-gateway-00003-bad", "tag": "canary"}]}}
            """;

    @TempDir
    Path dir;
    private Path recorded;

    @BeforeEach
    void standInGcloud() throws IOException {
        Path gcloud = Files.writeString(Files.createDirectories(dir.resolve("bin")).resolve("gcloud"), """
                #!/usr/bin/env bash
                echo "$*" >> "$STANDIN/calls"
                if [ "$1 $2 $3" = "run services describe" ]; then
                  if [ -f "$STANDIN/$4.json" ]; then cat "$STANDIN/$4.json"; exit 0; fi
                  if [ -f "$STANDIN/denied" ]; then echo "ERROR: (gcloud.run.services.describe) PERMISSION_DENIED" >&2; exit 1; fi
                  echo "ERROR: (gcloud.run.services.describe) Cannot find service [$4]" >&2; exit 1
                fi
                if [ "$1 $2 $3" = "run services replace" ] && [ "$4" = "$(cat "$STANDIN/failing-manifest" 2>/dev/null)" ]; then
                  echo "ERROR: (gcloud.run.services.replace) revision failed" >&2; exit 1
                fi
                """);
        Files.setPosixFilePermissions(gcloud, PosixFilePermissions.fromString("rwxr-xr-x"));
        recorded = dir.resolve("traffic-before");
        Files.writeString(recorded, "");
    }

    @Test
    void theSplitAServiceServesIsRecordedAndRestoredExactlyNotItsLatestReadyRevision() throws Exception {
        Files.writeString(dir.resolve("api-gateway.json"), SPLIT_AFTER_A_ROLLBACK);

        assertThat(traffic("record", "api-gateway", recorded.toString()).exit()).isZero();
        assertThat(Files.readString(recorded)).isEqualTo("api-gateway api-gateway-00001-aaa=90,api-gateway-00002-bbb=10\n");

        Result restored = traffic("restore", recorded.toString());

        assertThat(restored.exit()).as(restored.output()).isZero();
        assertThat(calls()).last().isEqualTo("run services update-traffic api-gateway --to-revisions "
                + "api-gateway-00001-aaa=90,api-gateway-00002-bbb=10 --region europe-west1 --project p");
    }

    @Test
    void servicesAreRestoredNewestRecordedFirstSoTheGatewayGoesBackBeforeItsConsumers() throws Exception {
        Files.writeString(recorded, "ingest-worker ingest-worker-00001-aaa=100\napi-gateway api-gateway-00001-aaa=100\n");

        assertThat(traffic("restore", recorded.toString()).exit()).isZero();

        assertThat(calls()).extracting(call -> call.split(" ")[3]).containsExactly("api-gateway", "ingest-worker");
    }

    /** cloudbuild.yaml's own deploy step, its /workspace in the temporary directory, the second replace failing. */
    @Test
    void aDeployStepThatFailsPartWayPutsTheServicesItAlreadyReplacedBack() throws Exception {
        for (String service : AppFacts.SERVICES) {
            Files.writeString(dir.resolve(service + ".json"), "{\"status\": {\"traffic\": [{\"revisionName\": \""
                    + service + "-00001-old\", \"percent\": 100, \"latestRevision\": true}]}}");
        }
        Files.writeString(dir.resolve("failing-manifest"), dir.resolve("rendered/cdc-relay.yaml").toString());
        String step = CloudBuildConsistencyTest.script("deploy").replace("${_ENV}", "staging").replace("$$", "$")
                .replace("/workspace/", dir + "/");

        Result r = run(List.of("bash", "-c", step));

        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(calls()).noneMatch(call -> call.contains("api-gateway.yaml"))
                .filteredOn(call -> call.contains("update-traffic")).containsExactly(
                        "run services update-traffic cdc-relay --to-revisions cdc-relay-00001-old=100"
                                + " --region europe-west1 --project agent-factory-staging",
                        "run services update-traffic ingest-worker --to-revisions ingest-worker-00001-old=100"
                                + " --region europe-west1 --project agent-factory-staging");
    }

    @Test
    void aServiceThatDoesNotExistYetOrServesNothingRecordsNothing() throws Exception {
        Files.writeString(dir.resolve("cdc-relay.json"), "{\"metadata\": {\"name\": \"cdc-relay\"}, \"status\": {}}");

        Result firstDeploy = traffic("record", "ingest-worker", recorded.toString());
        Result noTraffic = traffic("record", "cdc-relay", recorded.toString());

        assertThat(firstDeploy.exit()).as(firstDeploy.output()).isZero();
        assertThat(noTraffic.exit()).as(noTraffic.output()).isZero();
        assertThat(Files.readString(recorded)).isEmpty();
    }

    @Test
    void aServiceWhoseTrafficCannotBeReadStopsTheDeployBeforeItIsReplaced() throws Exception {
        Files.writeString(dir.resolve("denied"), "");

        Result r = traffic("record", "ingest-worker", recorded.toString());

        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("PERMISSION_DENIED");
        assertThat(Files.readString(recorded)).isEmpty();
    }

    @Test
    void restoringAnEmptyRecordChangesNothing() throws Exception {
        Result r = traffic("restore", recorded.toString());

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(dir.resolve("calls")).doesNotExist();
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(dir.resolve("calls"));
    }

    private Result traffic(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", ProjectFiles.root().resolve("deploy/traffic.sh").toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs in the checkout (cloudbuild.yaml's steps call deploy/... relative to it) with the stand-in gcloud. */
    private Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ProjectFiles.root().toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("STANDIN", dir.toString());
        pb.environment().put("REGION", "europe-west1");
        pb.environment().put("PROJECT_ID", "p");
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("traffic.sh finished").isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Result(int exit, String output) {
    }
}
