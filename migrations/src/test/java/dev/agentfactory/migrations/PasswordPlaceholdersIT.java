package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * Role passwords come from Secret Manager and may hold any character. V1 is given their SCRAM-SHA-256 verifiers
 * (never the passwords) in string literals inside a dollar-quoted DO block, where a quote would end the literal
 * and "$$" (every verifier has a "$") would end the block, and in a comment, which a newline would end.
 */
@ExtendWith(LocalStackExtension.class)
class PasswordPlaceholdersIT {

    private static final String DATABASE = "it_mig_placeholders";
    private static final String AWKWARD = "it's $$ a\\b $$$ ${x} $tag$ '\tü\n";
    private static final String QUOTE_AND_BACKSLASH = "it's a\\b";
    /**
     * The shared cluster's factory_* roles exist already (V1 never alters an existing role's password, and other
     * suites log in with theirs), so V1's role block runs here for roles of this test's own, named in it instead.
     */
    private static final Map<String, String> PROBES = Map.of("factory_writer", "it_mig_pw_writer",
            "factory_reader", "it_mig_pw_reader", "factory_replicator", "it_mig_pw_replicator");
    private static StackEndpoints endpoints;
    private static MigrationSettings settings;

    @BeforeAll
    static void database(StackEndpoints e, LocalStack stack) {
        endpoints = e;
        MigrationSettings local = TestDatabases.fresh(stack, e, DATABASE).settings();
        settings = new MigrationSettings(local.url(), local.user(), local.password(), AWKWARD, QUOTE_AND_BACKSLASH,
                AWKWARD + "x");
    }

    @AfterAll
    static void drop(LocalStack stack) throws SQLException {
        try (Connection c = TestDatabases.superuser(endpoints, DATABASE); Statement st = c.createStatement()) {
            dropProbes(st);
        }
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void passwordsWithQuotesDollarsBackslashesAndNewlinesMigrate() {
        Migrations migrations = new Migrations(settings);
        assertThat(migrations.migrate()).isPositive();
        assertThat(migrations.flyway().info().pending()).isEmpty();
    }

    /**
     * PostgreSQL stores the verifier V1 is given as it is (no password reaches the server), and the role logs in
     * with its password: one with a quote, a backslash, dollars, a tab, a non-ASCII letter and a newline too.
     */
    @Test
    void eachRoleV1CreatesStoresTheVerifierItWasGivenAndLogsInWithItsPassword() throws Exception {
        Map<String, String> placeholders = settings.placeholders();
        Map<String, String> passwords = new LinkedHashMap<>();
        passwords.put("it_mig_pw_writer", settings.writerPassword());
        passwords.put("it_mig_pw_reader", settings.readerPassword());
        passwords.put("it_mig_pw_replicator", settings.replicatorPassword());
        String block = v1RoleBlock(placeholders);
        // The block as the server receives it (and pg_stat_statements records it): no password in any form.
        assertThat(block).contains("it_mig_pw_writer").doesNotContain("factory_");
        for (String password : passwords.values()) {
            assertThat(block).doesNotContain(password).doesNotContain(MigrationSettings.literal(password));
        }
        assertThat(block).doesNotContain("a\\b");

        try (Connection c = TestDatabases.superuser(endpoints, DATABASE); Statement st = c.createStatement()) {
            dropProbes(st);
            st.execute(block);
            for (Map.Entry<String, String> role : passwords.entrySet()) {
                String sent = placeholders.get(role.getKey().replace("it_mig_pw_", "") + "_password");
                assertThat(stored(c, role.getKey())).as(role.getKey()).startsWith("SCRAM-SHA-256$")
                        .isEqualTo(literalValue(st, sent));
            }
        }
        for (Map.Entry<String, String> role : passwords.entrySet()) {
            try (Connection as = DriverManager.getConnection(settings.url(), role.getKey(), role.getValue());
                 Statement st = as.createStatement(); var rs = st.executeQuery("SELECT current_user")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(role.getKey());
            }
        }
    }

    /** V1's DO block that creates the roles, its placeholders replaced as Flyway does, for the probe roles. */
    private static String v1RoleBlock(Map<String, String> placeholders) throws IOException {
        String v1;
        try (InputStream in = PasswordPlaceholdersIT.class.getClassLoader()
                .getResourceAsStream("db/migration/V1__factory_schema.sql")) {
            v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int start = v1.indexOf("DO $$");
        String block = MigrationSettings.withPlaceholders(
                v1.substring(start, v1.indexOf("\n$$;", start) + "\n$$;".length()), placeholders);
        for (Map.Entry<String, String> role : PROBES.entrySet()) {
            block = block.replace(role.getKey(), role.getValue());
        }
        return block;
    }

    /** What the placeholder's SQL literal evaluates to: the value V1 hands to CREATE ROLE. */
    private static String literalValue(Statement st, String placeholder) throws SQLException {
        try (var rs = st.executeQuery("SELECT '" + placeholder + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String stored(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            ps.setString(1, role);
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).as(role + " exists").isTrue();
                return rs.getString(1);
            }
        }
    }

    private static void dropProbes(Statement st) throws SQLException {
        for (String role : PROBES.values()) {
            st.execute("DROP ROLE IF EXISTS " + role);
        }
    }
}
