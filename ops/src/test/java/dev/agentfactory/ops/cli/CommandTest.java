package dev.agentfactory.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exit codes by outcome, and no password of a URL or database role quoted by a failure on stderr. */
class CommandTest {

    private static final String URL = "jdbc:postgresql://10.0.0.9:5432/factory?sslpassword=k3yS3cret&sslmode=verify-full";

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream original;

    @BeforeEach
    void captureStderr() {
        original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(original);
    }

    @Test
    void aRefusalQuotingATargetUrlExitsOneWithItsPasswordMasked() {
        // A restore's failed migration: Flyway quotes the URL, masking password= only.
        int code = Command.run("restore", List.of(), Map.of(), (args, settings) -> {
            throw new OpsException("Unable to obtain connection from database (" + URL + ") for user 'owner'");
        });
        assertThat(code).isEqualTo(1);
        assertThat(stderr()).startsWith("ops restore refused: ").contains("10.0.0.9:5432").doesNotContain("k3yS3cret");
    }

    @Test
    void anUnexpectedFailureExitsOneWithItsPasswordMasked() {
        int code = Command.run("backup", List.of(), Map.of(), (args, settings) -> {
            throw new IllegalStateException("cannot open " + URL);
        });
        assertThat(code).isEqualTo(1);
        assertThat(stderr()).startsWith("ops backup failed: java.lang.IllegalStateException").doesNotContain("k3yS3cret");
    }

    @Test
    void aFailedRoleCreationExitsOneWithTheRolePasswordMasked() {
        // A restore's migration of its target: V1's failed CREATE ROLE is quoted in PostgreSQL's error.
        int code = Command.run("restore", List.of(), Map.of("FACTORY_DB_WRITER_PASSWORD", "Wr1terS3cret"),
                (args, settings) -> {
                    throw new OpsException("org.flywaydb.core.internal.command.DbMigrate$FlywayMigrateException: ERROR:"
                            + " role \"factory_writer\" already exists\n  Where: SQL statement \"CREATE ROLE factory_writer"
                            + " LOGIN PASSWORD 'Wr1terS3cret'\"");
                });
        assertThat(code).isEqualTo(1);
        assertThat(stderr()).contains("CREATE ROLE factory_writer LOGIN PASSWORD '***'").doesNotContain("Wr1terS3cret");
    }

    @Test
    void aUsageErrorExitsTwo() {
        int code = Command.run("backup", List.of("--nope"), Map.of(), (args, settings) -> {
            throw new UsageException("unknown option --nope");
        });
        assertThat(code).isEqualTo(2);
        assertThat(stderr()).isEqualToIgnoringNewLines("ops backup: unknown option --nope");
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
