package dev.agentfactory.platform.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** config/env holds dev, staging and prod with the same keys, every value the manifests need, and no secret. */
class EnvironmentConfigTest {

    private static final List<String> ENVIRONMENTS = List.of("dev", "staging", "prod");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /** Supplied by the build (the image tag), not by an environment file. */
    private static final Set<String> FROM_THE_BUILD = Set.of("IMAGE_TAG");

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
