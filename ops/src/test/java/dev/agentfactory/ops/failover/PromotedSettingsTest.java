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
        // the standby knows its roles by their own names, not as Supabase's pooler spells them (role.project-ref)
        assertThat(printed).contains("FACTORY_DB_WRITER_USER=factory_writer FACTORY_DB_READER_USER=factory_reader",
                "FACTORY_DB_REPLICATOR_USER=factory_replicator");
        // unsetting the standby URL would not turn the sink off: the relay falls back to a default URL
        assertThat(printed).doesNotContain("FACTORY_STANDBY_DB_URL");
        assertThat(FailoverCommand.servicesSettings("jdbc:postgresql://standby/factory?password=s3cret", "s", "p"))
                .contains("FACTORY_DB_URL=jdbc:postgresql://standby/factory?password=***").doesNotContain("s3cret");
        assertThat(config("cdc-relay")).contains("enabled: ${FACTORY_STANDBY_ENABLED:true}",
                "slot-name: ${FACTORY_CDC_SLOT:", "publication-name: ${FACTORY_CDC_PUBLICATION:",
                "username: ${FACTORY_DB_REPLICATOR_USER:");
        assertThat(config("api-gateway")).contains("username: ${FACTORY_DB_READER_USER:");
        assertThat(config("ingest-worker")).contains("username: ${FACTORY_DB_WRITER_USER:");
    }

    /** An app's application.yml, from the checkout (ops depends on none of the apps). */
    private static String config(String app) throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve(app))) {
            root = root.getParent();
        }
        return Files.readString(root.resolve(app + "/src/main/resources/application.yml"));
    }
}
