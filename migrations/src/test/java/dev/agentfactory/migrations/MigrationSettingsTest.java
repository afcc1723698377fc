package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PasswordUtil;

/** Settings for a database named outside FACTORY_DB_URL (ops restore's --target) are checked for that database. */
class MigrationSettingsTest {

    private static final Map<String, String> LOCAL_PRIMARY = Map.of(
            "FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:55432/factory", "FACTORY_DB_OWNER_PASSWORD", "owner-secret");

    @Test
    void aRemoteDatabaseIsRefusedTheLocalRolePasswordsEvenWhenFactoryDbUrlIsLoopback() {
        assertThatThrownBy(() -> MigrationSettings.forDatabase(LOCAL_PRIMARY,
                "jdbc:postgresql://new-standby.internal:5432/factory?password=url-s3cret", "--target"))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("FACTORY_DB_WRITER_PASSWORD", "FACTORY_DB_READER_PASSWORD",
                        "FACTORY_DB_REPLICATOR_PASSWORD", "new-standby.internal")
                .hasMessageNotContaining("url-s3cret");
    }

    @Test
    void aRemoteDatabaseGetsTheRolePasswordsAndTlsOptionsOfTheEnvironment() {
        Map<String, String> env = Map.of("FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:55432/factory",
                "FACTORY_DB_OWNER_PASSWORD", "o", "FACTORY_DB_WRITER_PASSWORD", "w", "FACTORY_DB_READER_PASSWORD", "r",
                "FACTORY_DB_REPLICATOR_PASSWORD", "p", "FACTORY_DB_SSLMODE", "verify-full",
                "FACTORY_DB_SSLROOTCERT", "/etc/ca.pem");

        MigrationSettings m = MigrationSettings.forDatabase(env,
                "jdbc:postgresql://new-standby.internal:5432/factory?sslmode=verify-ca", "--target");

        assertThat(m.url()).isEqualTo("jdbc:postgresql://new-standby.internal:5432/factory?sslmode=verify-ca"
                + "&sslrootcert=/etc/ca.pem");
        assertThat(m.writerPassword()).isEqualTo("w");
        assertThat(m.readerPassword()).isEqualTo("r");
        assertThat(m.replicatorPassword()).isEqualTo("p");
    }

    @Test
    void aLoopbackDatabaseMayUseTheLocalDefaultsWhateverFactoryDbUrlNames() {
        Map<String, String> remotePrimary = Map.of("FACTORY_DB_URL", "jdbc:postgresql://db.example.com/factory");

        MigrationSettings m = MigrationSettings.forDatabase(remotePrimary,
                "jdbc:postgresql://127.0.0.1:55433/factory_drill", "--target");

        assertThat(m.writerPassword()).isEqualTo("factory_writer_local");
    }

    @Test
    void anUnreadableUrlIsRefusedUnderTheNameItCameFrom() {
        assertThatThrownBy(() -> MigrationSettings.forDatabase(LOCAL_PRIMARY, "postgresql://u:s3cret@db/factory",
                "--target")).isInstanceOf(MigrationException.class).hasMessageStartingWith("--target: ")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> MigrationSettings.forDatabase(LOCAL_PRIMARY, " ", "--target"))
                .hasMessage("--target is set but empty");
    }

    /**
     * pg_stat_statements records V1's DO block verbatim, a validate's scratch migration and a restore rerun it, and
     * log_min_error_statement logs it when it fails: what V1 is given, and so the block as Flyway sends it, holds
     * the roles' SCRAM-SHA-256 verifiers, never their passwords.
     */
    @Test
    void thePlaceholdersAreScramVerifiersAndV1AsSentHoldsNoPassword() throws IOException {
        Map<String, String> env = Map.of("FACTORY_DB_OWNER_PASSWORD", "0wner-s3cret",
                "FACTORY_DB_WRITER_PASSWORD", "Wr1ter$ecret'q\\b", "FACTORY_DB_READER_PASSWORD", "Reader-s3cret",
                "FACTORY_DB_REPLICATOR_PASSWORD", "Replicator-s3cret");
        Map<String, String> placeholders = MigrationSettings.forDatabase(env, MigrationSettings.DEFAULT_URL,
                "FACTORY_DB_URL").placeholders();

        assertThat(placeholders).containsOnlyKeys("writer_password", "reader_password", "replicator_password");
        placeholders.forEach((name, value) -> assertThat(value).as(name).startsWith("SCRAM-SHA-256$")
                .doesNotContain("Wr1ter").doesNotContain("ecret").doesNotContain("s3cret"));

        String v1;
        try (InputStream in = getClass().getClassLoader()
                .getResourceAsStream("db/migration/V1__factory_schema.sql")) {
            v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        v1 = MigrationSettings.withPlaceholders(v1, placeholders);
        assertThat(v1).contains("('factory_writer', 'SCRAM-SHA-256$").doesNotContain("Wr1ter")
                .doesNotContain("ecret").doesNotContain("s3cret");
    }

    @Test
    void aMessageHasTheRolePasswordsMaskedAsWrittenAndAsQuotedBySql() {
        String writer = "Wr1ter$ecret'q\\b";
        Map<String, String> env = Map.of("FACTORY_DB_OWNER_PASSWORD", "0wner-s3cret", "FACTORY_DB_WRITER_PASSWORD", writer,
                "FACTORY_DB_READER_PASSWORD", "reader-s3cret", "FACTORY_DB_REPLICATOR_PASSWORD", "replicator-s3cret");
        String message = "ERROR: role \"factory_writer\" already exists\n"
                + "  Where: SQL statement \"CREATE ROLE factory_writer LOGIN PASSWORD E'Wr1ter$ecret''q\\\\b'\"\n"
                + "Statement  : ('factory_writer', '" + MigrationSettings.literal(writer) + "', false), "
                + "('factory_reader', 'reader-s3cret', false)\n"
                + "raw: " + writer + " 0wner-s3cret replicator-s3cret jdbc:postgresql://db:5432/factory?password=url-s3cret";

        String masked = MigrationSettings.redacted(env, message);

        assertThat(masked).contains("CREATE ROLE factory_writer LOGIN PASSWORD E'***'")
                .contains("('factory_writer', '***', false), ('factory_reader', '***', false)")
                .contains("raw: *** *** *** jdbc:postgresql://db:5432/factory?password=***")
                .doesNotContain("Wr1ter").doesNotContain("s3cret");
    }

    /**
     * What PostgreSQL reports for a failed EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', ...) now quotes the
     * role's verifier, and Flyway's statement holds the placeholder's encoding of it ({@code $' || '}). A verifier
     * is not the password, but a weak password can be guessed from it offline: masked in both forms, whichever
     * salt it has.
     */
    @Test
    void aMessageHasEveryScramVerifierMaskedAsSqlQuotesItAndAsAPlaceholder() {
        Map<String, String> env = Map.of("FACTORY_DB_WRITER_PASSWORD", "Wr1ter-s3cret");
        String verifier = PasswordUtil.encodeScramSha256("Wr1ter-s3cret".toCharArray());
        String placeholder = MigrationSettings.forDatabase(env, MigrationSettings.DEFAULT_URL, "FACTORY_DB_URL")
                .placeholders().get("writer_password");
        String message = "ERROR: role \"factory_writer\" already exists\n"
                + "  Where: SQL statement \"CREATE ROLE factory_writer LOGIN PASSWORD '" + verifier + "'\"\n"
                + "Statement  : ('factory_writer', '" + placeholder + "', false), ('factory_reader', '"
                + MigrationSettings.literal(PasswordUtil.encodeScramSha256("r".toCharArray())) + "', false)";

        String masked = MigrationSettings.redacted(env, message);

        assertThat(masked).contains("CREATE ROLE factory_writer LOGIN PASSWORD '***'")
                .contains("('factory_writer', '***', false), ('factory_reader', '***', false)")
                .doesNotContain("SCRAM-SHA-256");
    }

    @Test
    void blankPasswordsAndTheLocalDefaultsAreNotMaskedAndAShortOneOnlyAsAWholeLiteral() {
        // "postgres" (the local owner password) is in every jdbc:postgresql URL; "ab" in many words.
        Map<String, String> env = Map.of("FACTORY_DB_OWNER_PASSWORD", "postgres", "FACTORY_DB_WRITER_PASSWORD", " ",
                "FACTORY_DB_READER_PASSWORD", "ab");
        String message = "cannot reach jdbc:postgresql://127.0.0.1:55432/factory as postgres: table tab, "
                + "PASSWORD 'ab', factory_writer_local";

        assertThat(MigrationSettings.redacted(env, message)).isEqualTo("cannot reach jdbc:postgresql://127.0.0.1:55432/"
                + "factory as postgres: table tab, PASSWORD '***', factory_writer_local");
        assertThat(MigrationSettings.redacted(env, null)).isNull();
    }
}
