package dev.agentfactory.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * When V1's CREATE ROLE fails (a concurrent first creation, an owner without CREATEROLE), PostgreSQL quotes the
 * statement, the role's password verifier and all, in the error ("Where: SQL statement "CREATE ROLE factory_writer
 * LOGIN PASSWORD 'SCRAM-SHA-256$4096:…'""), and {@code db migrate} prints that message, with Flyway's statement
 * (the DO block, its placeholders replaced): no password reaches it, and the verifiers must come out masked. The
 * roles exist on the shared cluster, so this database hides them from V1 (a {@code pg_roles} view that is empty,
 * found before pg_catalog's through the database's search_path): V1 then creates factory_writer, which already
 * exists, as a migrator that lost the race to create it would. The roles are made to exist first: on a fresh
 * cluster this test's migration would otherwise create them, with its passwords.
 */
@ExtendWith(LocalStackExtension.class)
class RoleCreationFailureIT {

    private static final String DATABASE = "it_mig_role_failure";
    private static final String ROLES_FIRST = "it_mig_role_failure_roles";
    private static final String WRITER_PASSWORD = "Wr1ter$ecret'q\\b";
    private static StackEndpoints endpoints;

    @BeforeAll
    static void databaseThatCannotSeeTheRoles(StackEndpoints e, LocalStack stack) throws Exception {
        endpoints = e;
        // On a fresh cluster (CI) no suite may have created the roles yet: V1 would then create factory_writer with
        // this test's password, and every later suite's writer would fail to log in. Another database's migration
        // creates them first, as any suite's does.
        TestDatabases.fresh(stack, e, ROLES_FIRST).migrate();
        stack.primary().dropDatabase(ROLES_FIRST);
        TestDatabases.fresh(stack, e, DATABASE);
        try (Connection c = TestDatabases.superuser(e, DATABASE); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + DATABASE + " SET search_path = shadow, pg_catalog");
            st.execute("CREATE SCHEMA shadow");
            st.execute("CREATE VIEW shadow.pg_roles AS SELECT * FROM pg_catalog.pg_roles WHERE false");
        }
    }

    @AfterAll
    static void drop(LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
    }

    @Test
    void aFailedCreateRolePrintsTheRolePasswordMasked() {
        DbRun result = DbRun.of(Map.of("FACTORY_DB_URL", endpoints.primaryJdbcUrl(DATABASE),
                "FACTORY_DB_OWNER_USER", endpoints.superuser(), "FACTORY_DB_OWNER_PASSWORD", endpoints.superuserPassword(),
                "FACTORY_DB_WRITER_PASSWORD", WRITER_PASSWORD, "FACTORY_DB_READER_PASSWORD", "reader-s3cret",
                "FACTORY_DB_REPLICATOR_PASSWORD", "replicator-s3cret"), "migrate");

        assertThat(result.code()).as(result.out()).isEqualTo(1);
        assertThat(result.err()).startsWith("db migrate failed: ")
                .contains("role \"factory_writer\" already exists")
                .contains("CREATE ROLE factory_writer LOGIN PASSWORD '***'")
                .doesNotContain("Wr1ter").doesNotContain("SCRAM-SHA-256");
    }
}
