package dev.agentfactory.gateway.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.StoreJson;
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.agent.AgentVersion;
import dev.agentfactory.store.agent.HistoryEntry;

/**
 * A free-form value is written by the gateway a few levels below where the codec saw it (a list page puts an agent's
 * config at level 4, a versions page at 5), and Jackson refuses to write past 500 levels: one stored agent the codec
 * let through near its reader's limit would make every page showing it answer 500. Serialized here with the mapper
 * Spring Boot configures for the gateway, as {@link FirstPages} and the MVC converters use it.
 */
class DeepValuesInPagesTest {

    private final WriteCodec codec = new WriteCodec();
    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
            .withPropertyValues("spring.jackson.deserialization.use-big-decimal-for-floats=true");

    @Test
    void everyValueTheCodecAcceptsSerializesInTheListVersionsAndHistoryPages() {
        context.run(ctx -> {
            JsonMapper json = ctx.getBean(JsonMapper.class);
            // the documented maximum, and what Jackson's reader alone let through (config at level 3 of the envelope)
            for (int depth : new int[] {WriteCodec.MAX_NESTING_DEPTH, 497, 498}) {
                Optional<Map<String, Object>> config = acceptedConfig(depth);
                if (depth == WriteCodec.MAX_NESTING_DEPTH) {
                    assertThat(config).as("the documented maximum depth is accepted").isPresent();
                }
                config.ifPresent(c -> {
                    Agent agent = new Agent(UUID.randomUUID(), "deep", "Deep", "k", AgentStatus.ACTIVE, c, Map.of(),
                            Map.of(), 1, Instant.EPOCH, "t", Instant.EPOCH, "t", null);
                    assertThat(json.writeValueAsString(new Page<>(List.of(agent), null))).as("list, %d deep", depth)
                            .startsWith("{\"items\":[{");
                    assertThat(json.writeValueAsString(new Page<>(List.of(new AgentVersion(agent.id(), 1, "create",
                            agent, "t", UUID.randomUUID(), Instant.EPOCH)), null))).as("versions, %d deep", depth)
                            .contains("\"snapshot\"");
                    assertThat(json.writeValueAsString(new Page<>(List.of(new HistoryEntry(1, agent.id(),
                            HistoryEntry.Kind.LEARNING, c, Instant.EPOCH, "t", UUID.randomUUID())), null)))
                            .as("history, %d deep", depth).contains("\"entry\"");
                });
            }
        });
    }

    /** The config of an agent.create nesting {@code depth} objects deep, as the store reads it back, if decoded. */
    private Optional<Map<String, Object>> acceptedConfig(int depth) {
        String config = "{\"k\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
        String record = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"agent.create\",\"entityId\":\""
                + UUID.randomUUID() + "\",\"actor\":\"t\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"schemaVersion\":1,"
                + "\"payload\":{\"slug\":\"deep\",\"name\":\"Deep\",\"kind\":\"k\",\"config\":" + config + "}}";
        try {
            var create = (WriteCommand.AgentCreate) codec.decode(record.getBytes(StandardCharsets.UTF_8)).command();
            return Optional.of(StoreJson.read(create.config().toString()));
        } catch (InvalidWriteException e) {
            return Optional.empty();
        }
    }
}
