package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

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

    @Test
    void aMessageHasTheRolePasswordsMaskedAsWrittenAsQuotedBySqlAndAsPlaceholders() {
        String writer = "Wr1ter$ecret'q\\b";
        Map<String, String> env = Map.of("FACTORY_DB_OWNER_PASSWORD", "0wner-s3cret", "FACTORY_DB_WRITER_PASSWORD", writer,
                "FACTORY_DB_READER_PASSWORD", "reader-s3cret", "FACTORY_DB_REPLICATOR_PASSWORD", "replicator-s3cret");
        String placeholder = MigrationSettings.forDatabase(env, MigrationSettings.DEFAULT_URL, "FACTORY_DB_URL")
                .placeholders().get("writer_password");
        // What PostgreSQL reports for a failed EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', ...): %L doubles
        // quotes and backslashes (E'...'); Flyway's statement (at debug level) holds the placeholder's encoding.
        String message = "ERROR: role \"factory_writer\" already exists\n"
                + "  Where: SQL statement \"CREATE ROLE factory_writer LOGIN PASSWORD E'Wr1ter$ecret''q\\\\b'\"\n"
                + "Statement  : ('factory_writer', '" + placeholder + "', false), ('factory_reader', 'reader-s3cret', false)\n"
                + "raw: " + writer + " 0wner-s3cret replicator-s3cret jdbc:postgresql://db:5432/factory?password=url-s3cret";

        String masked = MigrationSettings.redacted(env, message);

        assertThat(masked).contains("CREATE ROLE factory_writer LOGIN PASSWORD E'***'")
                .contains("('factory_writer', '***', false), ('factory_reader', '***', false)")
                .contains("raw: *** *** *** jdbc:postgresql://db:5432/factory?password=***")
                .doesNotContain("Wr1ter").doesNotContain("s3cret");
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
