package dev.agentfactory.worker.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.InvalidWriteException.Reason;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;

/** A valid envelope is applied only keyed by its entityId on its entity's topic: elsewhere it loses its order. */
class RecordRoutingTest {

    private static final RecordRouting ROUTING = new RecordRouting("agents", "prds");
    private static final UUID ID = UUID.randomUUID();
    private static final WriteEnvelope AGENT_WRITE = WriteEnvelope.of(ID, null, "it", new WriteCommand.AgentDelete());
    private static final WriteEnvelope PRD_WRITE = WriteEnvelope.of(ID, null, "it",
            new WriteCommand.PrdCreate("p", "P", null, null, null, null));

    @Test
    void aWriteKeyedByItsEntityIdOnItsEntitysTopicPasses() {
        assertThatCode(() -> ROUTING.check(record("agents", ID.toString()), AGENT_WRITE)).doesNotThrowAnyException();
        assertThatCode(() -> ROUTING.check(record("prds", ID.toString()), PRD_WRITE)).doesNotThrowAnyException();
    }

    @Test
    void aWriteKeyedByItsEventIdIsAWrongKey() {
        assertThatThrownBy(() -> ROUTING.check(record("agents", AGENT_WRITE.eventId().toString()), AGENT_WRITE))
                .isInstanceOfSatisfying(InvalidWriteException.class, e -> reason(e, Reason.WRONG_KEY))
                .hasMessageContaining("the record key is '" + AGENT_WRITE.eventId() + "', not the entityId " + ID);
    }

    @Test
    void aWriteWithoutAKeyOrKeyedByItsIdInUpperCaseIsAWrongKey() {
        assertThatThrownBy(() -> ROUTING.check(record("agents", null), AGENT_WRITE))
                .isInstanceOfSatisfying(InvalidWriteException.class, e -> reason(e, Reason.WRONG_KEY))
                .hasMessageContaining("the record has no key");
        // another hash, so another partition than the gateway's writes of the same entity
        assertThatThrownBy(() -> ROUTING.check(record("agents", ID.toString().toUpperCase(Locale.ROOT)), AGENT_WRITE))
                .isInstanceOfSatisfying(InvalidWriteException.class, e -> reason(e, Reason.WRONG_KEY));
    }

    @Test
    void aPrdWriteOnTheAgentTopicAndAnAgentWriteOnThePrdTopicAreWrongTopics() {
        assertThatThrownBy(() -> ROUTING.check(record("agents", ID.toString()), PRD_WRITE))
                .isInstanceOfSatisfying(InvalidWriteException.class, e -> reason(e, Reason.WRONG_TOPIC))
                .hasMessage("prd.create on topic agents: prd writes go to prds, where the entity's other writes are");
        assertThatThrownBy(() -> ROUTING.check(record("prds", ID.toString()), AGENT_WRITE))
                .isInstanceOfSatisfying(InvalidWriteException.class, e -> reason(e, Reason.WRONG_TOPIC));
    }

    @Test
    void oneTopicForBothKindsTakesBoth() {
        RecordRouting shared = new RecordRouting("writes", "writes");
        assertThatCode(() -> shared.check(record("writes", ID.toString()), AGENT_WRITE)).doesNotThrowAnyException();
        assertThatCode(() -> shared.check(record("writes", ID.toString()), PRD_WRITE)).doesNotThrowAnyException();
    }

    private static ConsumerRecord<byte[], byte[]> record(String topic, String key) {
        return new ConsumerRecord<>(topic, 0, 0L, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                new byte[0]);
    }

    private static void reason(InvalidWriteException e, Reason expected) {
        assertThat(e.reason()).isEqualTo(expected);
    }
}
