package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class PromotedSettingsTest {

    @Test
    void thePrintedSettingsTurnTheRelaysStandbySinkOffWithTheVariableTheRelayReads() throws IOException {
        String printed = FailoverCommand.servicesSettings("jdbc:postgresql://standby:5432/factory", "factory_cdc",
                "factory_cdc");

        assertThat(printed).contains("FACTORY_DB_URL=jdbc:postgresql://standby:5432/factory",
                "FACTORY_CDC_SLOT=factory_cdc FACTORY_CDC_PUBLICATION=factory_cdc", "FACTORY_STANDBY_ENABLED=false");
        // unsetting the standby URL would not turn the sink off: the relay falls back to a default URL
        assertThat(printed).doesNotContain("FACTORY_STANDBY_DB_URL");
        assertThat(FailoverCommand.servicesSettings("jdbc:postgresql://standby/factory?password=s3cret", "s", "p"))
                .contains("FACTORY_DB_URL=jdbc:postgresql://standby/factory?password=***").doesNotContain("s3cret");
        assertThat(relayConfig()).contains("enabled: ${FACTORY_STANDBY_ENABLED:true}",
                "slot-name: ${FACTORY_CDC_SLOT:", "publication-name: ${FACTORY_CDC_PUBLICATION:");
    }

    /** The relay's application.yml, from the checkout (ops does not depend on the relay). */
    private static String relayConfig() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("cdc-relay"))) {
            root = root.getParent();
        }
        return Files.readString(root.resolve("cdc-relay/src/main/resources/application.yml"));
    }
}
