package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * Role passwords come from Secret Manager and may hold any character. V1 places them in string literals inside
 * a dollar-quoted DO block, where a quote would end the literal and "$$" would end the block, and in a comment, which a newline
 * (a secret stored with a trailing one) would end.
 */
@ExtendWith(LocalStackExtension.class)
class PasswordPlaceholdersIT {

    private static final String DATABASE = "it_mig_placeholders";
    private static final String AWKWARD = "it's $$ a\\b $$$ ${x} $tag$ '\tü\n";
    private static StackEndpoints endpoints;
    private static MigrationSettings settings;

    @BeforeAll
    static void database(StackEndpoints e, LocalStack stack) {
        endpoints = e;
        MigrationSettings local = TestDatabases.fresh(stack, e, DATABASE).settings();
        settings = new MigrationSettings(local.url(), local.user(), local.password(), AWKWARD, AWKWARD + "r",
                AWKWARD + "x");
    }

    @AfterAll
    static void drop(LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void passwordsWithQuotesDollarsBackslashesAndNewlinesMigrate() {
        Migrations migrations = new Migrations(settings);
        assertThat(migrations.migrate()).isPositive();
        assertThat(migrations.flyway().info().pending()).isEmpty();
    }

    @Test
    void aPlaceholderInAStringLiteralReadsBackAsThePassword() throws Exception {
        String placeholder = settings.placeholders().get("writer_password");
        try (Connection c = TestDatabases.superuser(endpoints, DATABASE); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT t.pw FROM (VALUES ('" + placeholder + "')) AS t(pw)")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(AWKWARD);
        }
    }
}
