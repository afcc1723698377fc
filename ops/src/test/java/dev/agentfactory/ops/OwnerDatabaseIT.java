package dev.agentfactory.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * The fixture the non-superuser ITs replay as leaves nothing on the shared cluster: roles outlive the run's
 * databases (the stack drops those at the end of a run, never roles), so a role left behind stays for good.
 */
@ExtendWith(LocalStackExtension.class)
class OwnerDatabaseIT {

    private final String suffix = OpsTestBed.suffix();
    private OpsTestBed bed;
    private String postgres;

    @BeforeEach
    void setUp(StackEndpoints endpoints, LocalStack stack) {
        bed = new OpsTestBed(endpoints, stack);
        postgres = endpoints.primaryJdbcUrl("postgres");
    }

    @Test
    void theRoleOwnsTheMigratedTablesWithoutSuperuserRightsAndCloseDropsItWithTheDatabase() throws Exception {
        String name = "it_ops_owner_db_" + suffix;
        try (OwnerDatabase db = bed.ownerDatabase(name, name)) {
            assertThat(role(name)).as("login, superuser, bypassrls").isEqualTo("true,false,false");
            assertThat(bed.query(db.url(), "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables"
                    + " WHERE schemaname = 'factory'")).isEqualTo(name);
            try (Connection c = db.connectAsOwner()) {
                assertThat(OpsTestBed.scalar(c, "SELECT current_user")).isEqualTo(name);
            }
        }

        assertThat(role(name)).as("the role, after close").isNull();
        assertThat(database(name)).as("the database, after close").isNull();
    }

    @Test
    void aCreationThatFailsOnceTheRoleExistsLeavesNeitherTheRoleNorTheDatabase() throws Exception {
        String database = "it_ops_owner_half_" + suffix;
        // a name CREATE ROLE takes but format() does not: the role is made, handing it the tables then fails
        String role = "it_ops_owner_half_%_" + suffix;

        assertThatThrownBy(() -> bed.ownerDatabase(database, '"' + role + '"')).isInstanceOf(SQLException.class)
                .hasMessageContaining("format()");

        assertThat(role(role)).as("the role").isNull();
        assertThat(database(database)).as("the database").isNull();
    }

    /** {@code rolcanlogin,rolsuper,rolbypassrls} of {@code role}; null when there is no such role. */
    private String role(String role) throws SQLException {
        return bed.query(postgres, "SELECT rolcanlogin || ',' || rolsuper || ',' || rolbypassrls FROM pg_roles"
                + " WHERE rolname = '" + role + "'");
    }

    private String database(String database) throws SQLException {
        return bed.query(postgres, "SELECT datname FROM pg_database WHERE datname = '" + database + "'");
    }
}
