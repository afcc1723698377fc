package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A command that cannot reach its database fails with exit 1 and a message that names no secret of the URL. */
class DbMainFailureTest {

    @ParameterizedTest
    @ValueSource(strings = {"migrate", "migrate --to 2", "validate", "info", "rollback --to 2", "repair", "fingerprint"})
    void aConnectionFailureMasksTheClientKeyPasswordFlywayLeavesInItsMessage(String commandLine) {
        // Nothing listens on port 1. Flyway masks password= in the URL it quotes, not pgjdbc's sslpassword.
        String[] argv = commandLine.split(" ");
        DbRun result = DbRun.of(Map.of("FACTORY_DB_URL",
                "jdbc:postgresql://127.0.0.1:1/factory?sslmode=disable&sslpassword=k3yS3cret&password=s3cret"), argv);
        assertThat(result.code()).as(result.err()).isEqualTo(1);
        assertThat(result.err()).startsWith("db " + argv[0] + " failed: ").contains("127.0.0.1:1")
                .doesNotContain("k3yS3cret").doesNotContain("s3cret");
    }
}
