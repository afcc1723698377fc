package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ValueOperations;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * The fingerprint of a keyed request lives in Redis for idempotency-ttl (24h) or until Redis drops it; the
 * outcome of its eventId stays in processed_events for good. A key reused after that with another body must
 * not be answered with the first body's outcome as though the new one had been applied.
 */
class IdempotencyKeyExpiryTest {

    @Test
    void aKeyWhoseFingerprintIsForgottenButWhoseWriteWasProcessedIsNotAnsweredWithTheOldOutcome() {
        UUID agent = UUID.randomUUID();
        UUID eventId = IdempotencyKeys.eventId("user-1", "rename-1");
        WriteOutcome firstBodysOutcome = new WriteOutcome(eventId, "agent", agent, "agent.update",
                WriteOutcome.Status.APPLIED, 2L, null, null, Instant.now());
        WriteOutcomeRepository processedEvents = new WriteOutcomeRepository() {
            @Override
            public Optional<WriteOutcome> find(UUID id) {
                return id.equals(eventId) ? Optional.of(firstBodysOutcome) : Optional.empty();
            }

            @Override
            public boolean record(WriteOutcome outcome) {
                throw new UnsupportedOperationException();
            }
        };
        WriteGateway gateway = new WriteGateway(null, null, new IdempotencyKeys(forgettingRedis(), props()),
                processedEvents);
        WriteRequest renamedAgain = new WriteRequest(CommandType.AGENT_UPDATE, agent, null,
                JsonNodeFactory.instance.objectNode().put("name", "A different name"), "rename-1", Duration.ZERO,
                "PATCH", "/api/v1/agents/" + agent);

        assertThatThrownBy(() -> gateway.submit(renamedAgain, "user-1"))
                .isInstanceOfSatisfying(ApiProblem.class, p -> org.assertj.core.api.Assertions
                        .assertThat(p.problem().getStatus()).isEqualTo(422));
    }

    /** Redis after the key's TTL (or an eviction, a flush): the key is free again. */
    @SuppressWarnings("unchecked")
    private static StringRedisTemplate forgettingRedis() {
        StringRedisTemplate redis = mock(StringRedisTemplate.class);
        ValueOperations<String, String> values = mock(ValueOperations.class);
        when(redis.opsForValue()).thenReturn(values);
        when(values.setIfAbsent(anyString(), anyString(), any(Duration.class))).thenReturn(true);
        return redis;
    }

    private static GatewayProperties props() {
        return new GatewayProperties(1_048_576, Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka("agents", "prds", "results", "group"),
                new GatewayProperties.Cache("test", Duration.ofHours(1), Duration.ofSeconds(10), 64),
                new GatewayProperties.Writes(Duration.ofMillis(250), Duration.ofHours(24), 8, Duration.ofSeconds(10)));
    }
}
