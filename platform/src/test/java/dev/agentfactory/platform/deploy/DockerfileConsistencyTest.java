package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * deploy/Dockerfile has a target per image, each service target exposes its app's port, checks one
 * of its health paths and runs as a non-root user, and the build produces the jars the targets copy.
 */
class DockerfileConsistencyTest {

    private static final List<String> SERVICES = AppFacts.SERVICES;
    private static final Pattern FROM = Pattern.compile("FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?", Pattern.CASE_INSENSITIVE);
    private static final Map<String, Stage> stages = parse(ProjectFiles.text("deploy/Dockerfile"));

    /** One build stage: what it is built FROM and its instructions, continuation lines joined. */
    record Stage(String from, List<String> instructions) {
    }

    @Test
    void thereIsATargetPerImage() {
        assertThat(stages).containsKeys("api-gateway", "ingest-worker", "cdc-relay", "db", "ops");
    }

    @ParameterizedTest
    @FieldSource("SERVICES")
    void eachServiceTargetExposesItsPortChecksItsHealthAndRunsAsNonRoot(String module) {
        AppFacts app = AppFacts.of(module);
        List<String> own = stages.get(module).instructions();
        assertThat(own).contains("ENV PORT=" + app.port(), "EXPOSE " + app.port());
        assertThat(own).anyMatch(line -> line.contains("/out/" + module + "/application/"));

        List<String> inherited = inherited(module);
        String healthCheck = inherited.stream().filter(line -> line.startsWith("HEALTHCHECK")).findFirst().orElseThrow();
        assertThat(app.healthPaths()).anyMatch(path -> healthCheck.contains("\"" + path + "\""));
        assertThat(inherited).anyMatch(line -> line.matches("USER [1-9][0-9]*:[1-9][0-9]*"));
        assertThat(stages.get("build").instructions())
                .anyMatch(line -> line.contains("\"$app/target/$app.jar\"") && line.contains(module));
    }

    @Test
    void theToolImagesRunTheirJarsAsNonRoot() {
        for (String tool : List.of("db", "ops")) {
            assertThat(inherited(tool)).as(tool).anyMatch(line -> line.matches("USER [1-9][0-9]*:[1-9][0-9]*"))
                    .anyMatch(line -> line.startsWith("ENTRYPOINT") && line.contains("/app/" + tool + ".jar"));
        }
        // The runnable jars: migrations.jar and ops.jar are plain libraries ("no main manifest attribute").
        assertThat(stages.get("build").instructions()).anyMatch(line ->
                line.contains("migrations/target/migrations-exec.jar /out/db.jar")
                        && line.contains("ops/target/ops-exec.jar /out/ops.jar"));
        assertThat(inherited("db")).contains("CMD [\"migrate\"]");
    }

    /** A stage's instructions after those of the stages it is built from, nearest last. */
    private static List<String> inherited(String name) {
        List<String> chain = new ArrayList<>();
        for (Stage stage = stages.get(name); stage != null; stage = stages.get(stage.from())) {
            chain.addAll(0, stage.instructions());
        }
        return chain;
    }

    private static Map<String, Stage> parse(String dockerfile) {
        Map<String, Stage> parsed = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : dockerfile.replaceAll("\\\\\\n\\s*", " ").lines().map(String::strip).toList()) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher from = FROM.matcher(line);
            if (from.matches()) {
                current = new ArrayList<>();
                parsed.put(from.group(2) != null ? from.group(2) : "stage" + parsed.size(), new Stage(from.group(1), current));
            } else if (current != null) {
                current.add(line.replaceAll("\\s+", " "));
            }
        }
        return parsed;
    }
}
