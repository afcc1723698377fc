package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** config/env holds dev, staging and prod with the same keys, every value the manifests need, and no secret. */
class EnvironmentConfigTest {

    private static final List<String> ENVIRONMENTS = List.of("dev", "staging", "prod");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /** Supplied by the build (the image tag, the release key), not by an environment file. */
    private static final Set<String> FROM_THE_BUILD = Set.of("IMAGE_TAG", "RELEASE_CREATED");

    @Test
    void everyEnvironmentDefinesTheSameKeys() {
        Set<String> prod = ProjectFiles.envFile("config/env/prod.env").keySet();
        for (String environment : ENVIRONMENTS) {
            assertThat(ProjectFiles.envFile("config/env/" + environment + ".env").keySet()).as(environment)
                    .containsExactlyInAnyOrderElementsOf(prod);
        }
    }

    @Test
    void everyPlaceholderOfTheCloudRunManifestsIsDefinedByEveryEnvironment() throws IOException {
        Set<String> placeholders = new TreeSet<>();
        try (Stream<Path> files = Files.list(ProjectFiles.root().resolve("deploy/cloudrun"))) {
            files.forEach(file -> {
                Matcher m = PLACEHOLDER.matcher(ProjectFiles.text("deploy/cloudrun/" + file.getFileName()));
                while (m.find()) {
                    placeholders.add(m.group(1));
                }
            });
        }
        placeholders.removeAll(FROM_THE_BUILD);
        assertThat(placeholders).isNotEmpty();
        for (String environment : ENVIRONMENTS) {
            assertThat(ProjectFiles.envFile("config/env/" + environment + ".env").keySet()).as(environment)
                    .containsAll(placeholders);
        }
    }

    /** What Cloud Build applies: deploy/render.sh's output, every manifest, for every environment. */
    @Test
    void renderShRendersEveryManifestForEveryEnvironmentWithNothingLeftToFill(@TempDir Path out) throws Exception {
        Set<String> manifests = new TreeSet<>();
        try (Stream<Path> files = Files.list(ProjectFiles.root().resolve("deploy/cloudrun"))) {
            files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".yaml")).forEach(manifests::add);
        }
        for (String environment : ENVIRONMENTS) {
            Path dir = out.resolve(environment);
            Process render = new ProcessBuilder("bash", ProjectFiles.root().resolve("deploy/render.sh").toString(),
                    environment, "test-tag", "1714557600123456", dir.toString()).redirectErrorStream(true).start();
            assertThat(render.waitFor(60, TimeUnit.SECONDS)).as("render.sh finished").isTrue();
            String output = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(render.exitValue()).as(environment + ": " + output).isZero();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(file -> file.getFileName().toString())).as(environment)
                        .containsExactlyInAnyOrderElementsOf(manifests);
            }
            for (String manifest : manifests) {
                String text = Files.readString(dir.resolve(manifest));
                assertThat(text).as(environment + " " + manifest).doesNotContain("${");
                assertThat(new Yaml().<Object>load(text)).as(environment + " " + manifest).isInstanceOf(Map.class);
            }
            for (OpsJobsConsistencyTest.OpsJob job : OpsJobsConsistencyTest.OPS_JOBS) {
                assertThat(Files.readString(dir.resolve(job.manifest()))).as(environment + " " + job)
                        .contains("/ops:test-tag\"");
            }
            Matcher bucket = Pattern.compile("bucketName: \"([^\"]*)\"").matcher(Files.readString(dir.resolve("backup-job.yaml")));
            assertThat(bucket.find()).isTrue();
            assertThat(bucket.group(1)).as(environment + " bucket name").matches("[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]");
        }
    }

    @Test
    void noEnvironmentFileHoldsASecret() {
        for (String environment : ENVIRONMENTS) {
            Map<String, String> entries = ProjectFiles.envFile("config/env/" + environment + ".env");
            assertThat(entries.keySet()).as(environment)
                    .noneMatch(key -> key.matches(".*(PASSWORD|SECRET|JAAS|TOKEN|CREDENTIAL).*"));
            assertThat(entries.values()).as(environment)
                    .noneMatch(value -> value.matches(".*(password=|://[^/@\\s]*:[^/@\\s]+@).*"));
        }
    }
}
