package dev.agentfactory.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.SQLException;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.store.replica.StandbyApplyLock;

class OpsSettingsTest {

    @Test
    void settingsPrintNeitherTheOwnerPasswordNorOneInAUrl() {
        OpsSettings s = OpsSettings.fromEnvironment(Map.of("FACTORY_DB_OWNER_PASSWORD", "0wner-s3cret",
                "FACTORY_DB_URL", "jdbc:postgresql://db.example.com/factory?password=url-s3cret",
                "FACTORY_STANDBY_DB_URL", "jdbc:postgresql://u:standby-s3cret@standby.example.com/factory"));

        assertThat(s.toString()).doesNotContain("s3cret").contains("db.example.com", "standby.example.com",
                "password=<redacted>");
    }

    @Test
    void thePrimaryUrlTakesTheTlsVariablesItDoesNotSetAndTheStandbyUrlKeepsItsOwn() {
        OpsSettings s = OpsSettings.fromEnvironment(Map.of("FACTORY_DB_SSLMODE", "verify-full",
                "FACTORY_DB_SSLROOTCERT", "/etc/ca.pem",
                "FACTORY_DB_URL", "jdbc:postgresql://db.example.com/factory?sslmode=require",
                "FACTORY_STANDBY_DB_URL", "jdbc:postgresql://standby.example.com/factory?sslmode=verify-ca"));

        assertThat(s.dbUrl()).isEqualTo("jdbc:postgresql://db.example.com/factory?sslmode=require&sslrootcert=/etc/ca.pem");
        assertThat(s.standbyUrl()).isEqualTo("jdbc:postgresql://standby.example.com/factory?sslmode=verify-ca");
    }

    /**
     * pgjdbc and DriverManager put the whole URL in some errors, and the commands print an error's message: a URL it
     * cannot parse, one without the jdbc: prefix. Nothing listens on loopback port 1, so no database is touched.
     */
    @Test
    void aConnectionErrorNamesTheUrlWithoutItsPasswordAndKeepsTheSqlState() {
        OpsSettings s = OpsSettings.fromEnvironment(Map.of());
        for (String url : new String[] {"jdbc:postgresql://127.0.0.1:notaport/factory?password=s3cret",
                "postgresql://postgres:s3cret@127.0.0.1:1/factory",
                "jdbc:postgresql://127.0.0.1:1/factory?user=u&password=s3cret&sslmode=disable"}) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> s.connect(url).close());

            assertThat((Throwable) e).as(url).isNotNull();
            assertThat(e.toString()).as(url).doesNotContain("s3cret");
            assertThat(e.getCause()).as(url).isNull();
            assertThat(e.getSQLState()).as(url).isNotNull();
        }
        SQLException unparsed = catchThrowableOfType(SQLException.class,
                () -> s.connect("postgresql://postgres:s3cret@127.0.0.1:1/factory").close());
        assertThat(unparsed.getMessage()).contains("postgresql://postgres:***@127.0.0.1:1/factory");
        assertThat(unparsed.getSQLState()).as("failover's unreachable check reads it").isEqualTo("08001");
    }

    /** Replay takes the relay's standby apply lock: the same variable, the same default (the relay's CdcPropertiesTest). */
    @Test
    void theRelaysLockKeyIsReadFromItsVariableWithItsDefault() {
        assertThat(OpsSettings.fromEnvironment(Map.of()).cdcLockKey()).isEqualTo(StandbyApplyLock.DEFAULT_KEY);
        assertThat(OpsSettings.fromEnvironment(Map.of("FACTORY_CDC_LOCK_KEY", " ")).cdcLockKey())
                .isEqualTo(StandbyApplyLock.DEFAULT_KEY);
        assertThat(OpsSettings.fromEnvironment(Map.of("FACTORY_CDC_LOCK_KEY", "-77")).cdcLockKey()).isEqualTo(-77L);
        assertThatThrownBy(() -> OpsSettings.fromEnvironment(Map.of("FACTORY_CDC_LOCK_KEY", "relay-1")))
                .isInstanceOf(UsageException.class).hasMessageContaining("FACTORY_CDC_LOCK_KEY must be a number");
    }
}
