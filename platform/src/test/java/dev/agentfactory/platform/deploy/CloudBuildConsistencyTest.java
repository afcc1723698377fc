package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** cloudbuild.yaml tests, builds and pushes every image, migrates, deploys every service and smoke-checks the gateway. */
class CloudBuildConsistencyTest {

    private static final String IMAGES = "api-gateway ingest-worker cdc-relay db ops";
    private static final Map<String, String> scripts = scripts();

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
        assertThat(scripts.get("migrate")).contains("deploy/render.sh \"${_ENV}\"")
                .contains("gcloud run jobs replace /workspace/rendered/migrate-job.yaml")
                .contains("gcloud run jobs execute " + job + " ").contains("--wait");
        assertThat(waitFor("deploy")).containsExactly("migrate");
        // consumers first, the gateway (which publishes to them) last
        assertThat(List.of("ingest-worker", "cdc-relay", "api-gateway")).containsExactlyInAnyOrderElementsOf(AppFacts.SERVICES);
        assertThat(scripts.get("deploy")).contains("for service in ingest-worker cdc-relay api-gateway;")
                .contains("gcloud run services replace \"/workspace/rendered/$$service.yaml\"");
    }

    @Test
    void theSmokeCheckCallsTheGatewayHealthAndRollsBackOnFailure() {
        assertThat(AppFacts.of("api-gateway").healthPaths()).contains("/api/v1/health");
        assertThat(scripts.get("smoke")).contains("gcloud run services describe api-gateway")
                .contains("\"$$url/api/v1/health\"").contains("update-traffic");
        assertThat(waitFor("smoke")).containsExactly("deploy");
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

    /** Each step's id to its bash script (the argument after -c). */
    private static Map<String, String> scripts() {
        return steps().stream().collect(Collectors.toMap(step -> (String) step.get("id"),
                step -> String.valueOf(((List<?>) step.get("args")).get(1))));
    }
}
