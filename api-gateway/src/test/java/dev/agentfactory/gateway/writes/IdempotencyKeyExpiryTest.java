package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ValueOperations;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.problem.ProblemResponses;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * The fingerprint of a keyed request lives in Redis for idempotency-ttl (24h) or until Redis drops it; the
 * outcome of its eventId stays in processed_events for good. A key reused after that must not be answered
 * with the first request's outcome as though the new one had been applied: not the first time, and not when
 * the new request is retried as it is.
 */
class IdempotencyKeyExpiryTest {

    private static final String USER = "user-1";
    private static final String KEY = "rename-1";

    private final UUID agent = UUID.randomUUID();
    private final UUID eventId = IdempotencyKeys.eventId(USER, KEY);
    private final WriteOutcome firstRequestsOutcome = new WriteOutcome(eventId, "agent", agent, "agent.update",
            WriteOutcome.Status.APPLIED, 2L, null, null, Instant.now());
    /** Redis as SET NX / SET / GET on a map; clearing it is a TTL run out, an eviction or a flush. */
    private final Map<String, String> redis = new ConcurrentHashMap<>();
    private final WriteProducer producer = mock(WriteProducer.class);
    private WriteGateway gateway;

    @BeforeEach
    void gateway() {
        WriteOutcomeRepository processedEvents = new WriteOutcomeRepository() {
            @Override
            public Optional<WriteOutcome> find(UUID id) {
                return id.equals(eventId) ? Optional.of(firstRequestsOutcome) : Optional.empty();
            }

            @Override
            public boolean record(WriteOutcome outcome) {
                throw new UnsupportedOperationException();
            }
        };
        gateway = new WriteGateway(producer, null, new IdempotencyKeys(mapRedis(redis), props()), processedEvents);
    }

    @Test
    void aNewRequestUnderAProcessedKeyWhoseFingerprintExpiredIsRefusedEveryTimeItIsSent() {
        WriteRequest renamedAgain = rename("A different name");

        assertExpired(renamedAgain);
        assertExpired(renamedAgain);
        assertExpired(rename("Yet another name"));
        verifyNoInteractions(producer);
    }

    @Test
    void afterRedisLostTheFingerprintEvenTheFirstRequestsRetryIsRefusedAndTheKeyStaysExpired() {
        WriteRequest first = rename("First name");
        redis.put(redisKey(), fingerprintOf(first));
        assertThat(gateway.submit(first, USER).outcome().join()).contains(firstRequestsOutcome);

        redis.clear();
        assertExpired(rename("A different name"));
        assertExpired(rename("A different name"));
        assertExpired(first);
        verifyNoInteractions(producer);
    }

    private void assertExpired(WriteRequest req) {
        assertThatThrownBy(() -> gateway.submit(req, USER)).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.problem().getStatus()).isEqualTo(422);
            assertThat(p.problem().getType().toString())
                    .isEqualTo(ProblemResponses.TYPE_BASE + "idempotency-key-expired");
        });
    }

    private WriteRequest rename(String name) {
        return new WriteRequest(CommandType.AGENT_UPDATE, agent, null,
                JsonNodeFactory.instance.objectNode().put("name", name), KEY, Duration.ZERO,
                "PATCH", "/api/v1/agents/" + agent);
    }

    /** What the first request left in Redis: its fingerprint, read back from a fresh claim. */
    private String fingerprintOf(WriteRequest req) {
        Map<String, String> scratch = new ConcurrentHashMap<>();
        new IdempotencyKeys(mapRedis(scratch), props()).claim(eventId, req.method(), req.path(),
                req.expectedVersion(), req.payload().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return scratch.get(redisKey());
    }

    private String redisKey() {
        return props().cache().prefix() + ":idempotency:" + eventId;
    }

    @SuppressWarnings("unchecked")
    private static StringRedisTemplate mapRedis(Map<String, String> store) {
        StringRedisTemplate redis = mock(StringRedisTemplate.class);
        ValueOperations<String, String> values = mock(ValueOperations.class);
        when(redis.opsForValue()).thenReturn(values);
        when(values.setIfAbsent(anyString(), anyString(), any(Duration.class)))
                .thenAnswer(inv -> store.putIfAbsent(inv.getArgument(0), inv.getArgument(1)) == null);
        when(values.get(anyString())).thenAnswer(inv -> store.get(inv.getArgument(0)));
        return redis;
    }

    private static GatewayProperties props() {
        return new GatewayProperties(1_048_576, Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka("agents", "prds", "results", "group"),
                new GatewayProperties.Cache("test", Duration.ofHours(1), Duration.ofSeconds(10), 64),
                new GatewayProperties.Writes(Duration.ofMillis(250), Duration.ofHours(24), 8, Duration.ofSeconds(10)));
    }
}
