package dev.agentfactory.ops.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.agentfactory.ops.cli.OpsException;

/** How a restore reads its target's name and the maintenance URL it creates and drops it from. */
class TargetDatabaseTest {

    @Test
    void theMaintenanceUrlKeepsEveryHostAndParameterOfTheTarget() {
        var target = new TargetDatabase(null,
                "jdbc:postgresql://[::1]:55432,db2.internal:5432/factory_restored?sslmode=verify-full&sslrootcert=/etc/ca.pem",
                null);
        assertThat(target.name()).isEqualTo("factory_restored");
        assertThat(target.maintenanceUrl()).isEqualTo(
                "jdbc:postgresql://[::1]:55432,db2.internal:5432/postgres?sslmode=verify-full&sslrootcert=/etc/ca.pem");
    }

    @Test
    void aTargetThatNamesNoDatabaseIsRefusedNotReadFromItsParameters() {
        // The former regex took "etc/ca.pem" for the name here and would have created that database.
        assertThatThrownBy(() -> TargetDatabase.databaseOf("jdbc:postgresql://db:5432?sslrootcert=/etc/ca.pem"))
                .isInstanceOf(OpsException.class).hasMessageContaining("cannot read the database name");
        assertThatThrownBy(() -> TargetDatabase.databaseOf("jdbc:postgresql://db:5432/"))
                .isInstanceOf(OpsException.class).hasMessageContaining("name it");
        assertThatThrownBy(() -> TargetDatabase.databaseOf("postgresql://db:5432/factory"))
                .isInstanceOf(OpsException.class).hasMessageContaining("not a PostgreSQL JDBC URL");
    }

    @Test
    void aTargetWhoseParametersNameAnotherDatabaseIsRefused() {
        // pgjdbc connects to dbname=factory here: the restore would check, create and drop factory_restored
        // while loading into factory.
        assertThatThrownBy(() -> TargetDatabase.databaseOf("jdbc:postgresql://db/factory_restored?dbname=factory"))
                .isInstanceOf(OpsException.class).hasMessageContaining("dbname");
    }

    @Test
    void anEncodedNameIsTheDatabasePgjdbcConnectsTo() {
        assertThat(TargetDatabase.databaseOf("jdbc:postgresql://db/factory%2Deu")).isEqualTo("factory-eu");
    }
}
