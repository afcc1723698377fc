package dev.agentfactory.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.Topics;

class OpsTopicsTest {

    @Test
    void topicsAreTheOnesTheServicesNameInTheirOwnVariables() {
        OpsTopics t = OpsSettings.fromEnvironment(Map.of(
                "FACTORY_INGEST_AGENT_TOPIC", "a.writes", "FACTORY_INGEST_PRD_TOPIC", "p.writes",
                "FACTORY_INGEST_RESULTS_TOPIC", "results", "FACTORY_INGEST_DLQ_TOPIC", "dlq",
                "FACTORY_CDC_AGENTS_AUDIT_TOPIC", "a.audit", "FACTORY_CDC_PRDS_AUDIT_TOPIC", "p.audit")).topics();

        assertThat(t).isEqualTo(new OpsTopics("a.writes", "p.writes", "results", "dlq", "a.audit", "p.audit"));
        assertThat(t.writes()).containsExactly("a.writes", "p.writes");
        assertThat(t.audit()).containsExactly("a.audit", "p.audit");
    }

    @Test
    void unsetOrBlankVariablesLeaveTheContractsTopics() {
        OpsTopics t = OpsSettings.fromEnvironment(Map.of("FACTORY_INGEST_DLQ_TOPIC", " ")).topics();

        assertThat(t).isEqualTo(new OpsTopics(Topics.AGENT_WRITES, Topics.PRD_WRITES, Topics.WRITE_RESULTS,
                Topics.WRITES_DLQ, Topics.AUDIT_AGENTS, Topics.AUDIT_PRDS));
    }

    @Test
    void theGatewaysFormerTopicVariablesCountWhereTheServicesNamesAreUnset() {
        // The gateway and the worker both fall back to these (their application.yml): ops must follow them too.
        OpsTopics t = OpsSettings.fromEnvironment(Map.of(
                "FACTORY_AGENT_WRITES_TOPIC", "old.a.writes", "FACTORY_PRD_WRITES_TOPIC", "old.p.writes",
                "FACTORY_WRITE_RESULTS_TOPIC", "old.results")).topics();

        assertThat(t.writes()).containsExactly("old.a.writes", "old.p.writes");
        assertThat(t.writeResults()).isEqualTo("old.results");

        OpsTopics both = OpsSettings.fromEnvironment(Map.of(
                "FACTORY_INGEST_AGENT_TOPIC", "a.writes", "FACTORY_AGENT_WRITES_TOPIC", "old.a.writes")).topics();
        assertThat(both.agentWrites()).isEqualTo("a.writes");
    }

    @Test
    void oneTopicForBothKindsOfWriteIsReadOnce() {
        OpsTopics t = OpsSettings.fromEnvironment(Map.of(
                "FACTORY_INGEST_AGENT_TOPIC", "writes", "FACTORY_INGEST_PRD_TOPIC", "writes")).topics();

        assertThat(t.writes()).containsExactly("writes");
    }

    @Test
    void aCommandsBootstrapOptionReplacesTheBrokerAndKeepsItsSecurity() {
        OpsSettings s = OpsSettings.fromEnvironment(Map.of("FACTORY_KAFKA_BOOTSTRAP", "env:9092",
                "SPRING_KAFKA_SECURITY_PROTOCOL", "SSL"));

        assertThat(s.withBootstrap("cli:9093").kafka()).isEqualTo(new KafkaClients("cli:9093",
                Map.of("security.protocol", "SSL")));
        assertThat(s.withBootstrap(null)).isSameAs(s);
    }
}
