package dev.agentfactory.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

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
}
