package dev.agentfactory.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import dev.agentfactory.relay.CdcProperties;
import dev.agentfactory.relay.TestCdcProperties;

class DebeziumConfigTest {

    private static final CdcProperties DEFAULTS = TestCdcProperties.with(Map.of());

    @Test
    void theReplicationConnectionTakesTheDatasourceTlsSettings() {
        Properties p = DebeziumConfig.of(DEFAULTS, new DebeziumConfig.Primary(
                "jdbc:postgresql://db.example.supabase.co:6543/postgres?sslmode=verify-full"
                        + "&sslrootcert=%2Fetc%2Fssl%2Fsupabase.crt&ApplicationName=relay", "replicator", "secret"));
        assertThat(p).containsEntry("database.hostname", "db.example.supabase.co").containsEntry("database.port", "6543")
                .containsEntry("database.dbname", "postgres").containsEntry("database.sslmode", "verify-full")
                .containsEntry("database.sslrootcert", "/etc/ssl/supabase.crt")
                .doesNotContainKey("database.ApplicationName");
    }

    @Test
    void aPlainLocalUrlSetsNoTlsOptionsAndTheDefaultPort() {
        Properties p = DebeziumConfig.of(DEFAULTS, new DebeziumConfig.Primary("jdbc:postgresql://127.0.0.1/factory",
                "replicator", "secret"));
        assertThat(p).containsEntry("database.port", "5432").containsEntry("database.dbname", "factory");
        assertThat(p.stringPropertyNames()).noneMatch(name -> name.startsWith("database.ssl"));
    }

    @Test
    void theEnginesQueueIsBoundedInBytesAsWellAsInRecordsByTheRelaysSettings() {
        DebeziumConfig.Primary primary = new DebeziumConfig.Primary("jdbc:postgresql://127.0.0.1/factory", "r", "s");
        assertThat(DebeziumConfig.of(DEFAULTS, primary)).as("defaults: 256 MiB, never Debezium's unbounded 0")
                .containsEntry("max.queue.size.in.bytes", "268435456").containsEntry("max.queue.size", "32768")
                .containsEntry("max.batch.size", "8192");
        CdcProperties small = TestCdcProperties.with(Map.of("max-queue-bytes", "1048576", "max-queue-records", "100",
                "max-batch-records", "10"));
        assertThat(DebeziumConfig.of(small, primary)).containsEntry("max.queue.size.in.bytes", "1048576")
                .containsEntry("max.queue.size", "100").containsEntry("max.batch.size", "10");
    }

    /**
     * A stop abandons the delivery in flight at once (Debezium 3.6 interrupts the polling thread that runs it), so the
     * budget is the last offset flush's: it had half of it, as if the delivery were waited for.
     */
    @Test
    void theLastOffsetFlushGetsMostOfTheShutdownTimeoutSinceADeliveryInFlightIsNotWaitedFor() {
        DebeziumConfig.Primary primary = new DebeziumConfig.Primary("jdbc:postgresql://127.0.0.1/factory", "r", "s");
        assertThat(DebeziumConfig.of(TestCdcProperties.with(Map.of("shutdown-timeout", "6s")), primary))
                .as("Cloud Run's 6 s").containsEntry("record.processing.shutdown.timeout.ms", "600")
                .containsEntry("offset.flush.timeout.ms", "5400");
        assertThat(DebeziumConfig.of(DEFAULTS, primary)).as("30 s: a flush is still limited as between deliveries")
                .containsEntry("record.processing.shutdown.timeout.ms", "3000")
                .containsEntry("offset.flush.timeout.ms", "10000");
    }

    /**
     * A retriable error is not retried inside the engine, whose connector restart resumed from the stored offsets under
     * the same batch consumer and its buffer: the engine stops and the relay starts it again with a new one.
     */
    @Test
    void theEngineDoesNotRestartTheConnectorItselfOnARetriableError() {
        DebeziumConfig.Primary primary = new DebeziumConfig.Primary("jdbc:postgresql://127.0.0.1/factory", "r", "s");
        assertThat(DebeziumConfig.of(DEFAULTS, primary)).containsEntry("errors.max.retries", "0");
    }
}
