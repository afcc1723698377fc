package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Usage mistakes exit 2 before anything connects; nothing that reaches a database ignores an argument. */
class DbMainArgumentsTest {

    // Nothing listens on port 1: a command that tried to connect would fail with exit 1, not 2.
    private static final Map<String, String> UNREACHABLE = Map.of("FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:1/factory");
    // A remote database with none of the passwords it needs.
    private static final Map<String, String> REMOTE_WITHOUT_SECRETS =
            Map.of("FACTORY_DB_URL", "jdbc:postgresql://db.example.supabase.co:5432/postgres");

    @ParameterizedTest
    @ValueSource(strings = {"repair --dry-run", "validate --quick", "info --all", "fingerprint factory",
            "migrate --to latest", "migrate 4.1", "migrate --to 4.1 --dry-run", "rollback 0", "rollback --to",
            "rollback --to v3", "rollback --to 0 --drop", "rollback --drop-data --to 0", "help me"})
    void anUnknownArgumentIsAUsageErrorAndNothingRuns(String command) {
        DbRun result = run(UNREACHABLE, command.split(" "));
        assertThat(result.code()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).startsWith("db: ").contains("usage: db").doesNotContain(" failed:");
    }

    @Test
    void repairNamesTheArgumentItRefuses() {
        assertThat(run(UNREACHABLE, "repair", "--dry-run").err()).contains("repair takes no arguments, got [--dry-run]");
    }

    @Test
    void helpAndUsageErrorsNeedNoDatabaseSettings() {
        assertThat(run(REMOTE_WITHOUT_SECRETS, "help").code()).isZero();
        assertThat(run(REMOTE_WITHOUT_SECRETS).code()).isZero();
        DbRun unknown = run(REMOTE_WITHOUT_SECRETS, "frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown command 'frobnicate'");
    }

    @Test
    void wellFormedCommandsGetAsFarAsTheDatabase() {
        DbRun result = run(UNREACHABLE, "rollback", "--to", "3.1");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).startsWith("db rollback failed:");
        assertThat(run(REMOTE_WITHOUT_SECRETS, "migrate").err()).contains("FACTORY_DB_WRITER_PASSWORD");
    }

    @Test
    void anEmptyOrMalformedDatabaseUrlIsNamedNotAStackTrace() {
        DbRun empty = run(Map.of("FACTORY_DB_URL", ""), "info");
        assertThat(empty.code()).isEqualTo(1);
        assertThat(empty.err()).startsWith("db info failed:").contains("FACTORY_DB_URL");
        DbRun foreign = run(Map.of("FACTORY_DB_URL", "postgres://u:secret@db.example.com/factory"), "migrate");
        assertThat(foreign.code()).isEqualTo(1);
        assertThat(foreign.err()).contains("FACTORY_DB_URL").contains("jdbc:postgresql://").doesNotContain("secret");
    }

    private static DbRun run(Map<String, String> env, String... args) {
        return DbRun.of(env, args);
    }
}
