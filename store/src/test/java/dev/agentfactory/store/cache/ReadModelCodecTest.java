package dev.agentfactory.store.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.ExactJson;
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.prd.Prd;
import dev.agentfactory.store.prd.PrdStatus;

class ReadModelCodecTest {

    private final ReadModelCodec codec = new ReadModelCodec();

    @Test
    void agentSurvivesTheRoundTripWithNestedJson() {
        Agent agent = new Agent(UUID.randomUUID(), "planner", "Planner", "llm", AgentStatus.PAUSED,
                // fractions come back as BigDecimal, every digit kept (ExactJson), as jsonb stores them
                Map.of("model", "gpt", "temperature", new java.math.BigDecimal("0.2"),
                        "rate", new java.math.BigDecimal("0.12345678901234567890123"), "huge", new java.math.BigDecimal("1e400")),
                Map.of("step", 3, "goals", List.of("a", "b")),
                Map.of(), 7, Instant.parse("2026-01-02T03:04:05.123456Z"), "alice",
                Instant.parse("2026-01-03T03:04:05Z"), "bob", null);
        Agent back = codec.readAgent(codec.write(agent)).orElseThrow();
        assertThat(back).isEqualTo(agent);
        assertThat(codec.version(codec.write(agent))).isEqualTo(7);
    }

    @Test
    void prdSurvivesTheRoundTrip() {
        Prd prd = new Prd(UUID.randomUUID(), "search", "Search", "# Goal\n", PrdStatus.REVIEW, Map.of("team", "x"),
                "carol", 2, Instant.EPOCH, "carol", Instant.EPOCH, "carol", Instant.parse("2026-05-01T00:00:00Z"));
        assertThat(codec.readPrd(codec.write(prd))).contains(prd);
        assertThat(codec.isPurged(codec.write(prd))).isFalse();
    }

    @Test
    void cacheEntriesKeepTheStatusFormThatGatewaysBeforeTheLowerCaseWireRead() {
        // Relay entries never expire: were they written lower case, a gateway of the previous release (during a
        // rolling deploy, or rolled back to) would fail on every entity written since, until it changed again.
        // The API answers lower case all the same: the gateway decodes the entry and answers through its own mapper.
        Agent agent = new Agent(UUID.randomUUID(), "planner", "Planner", "llm", AgentStatus.PAUSED, Map.of(), Map.of(),
                Map.of(), 1, Instant.EPOCH, "alice", Instant.EPOCH, "alice", null);
        Prd prd = new Prd(UUID.randomUUID(), "search", "Search", "", PrdStatus.REVIEW, Map.of(), null, 1, Instant.EPOCH,
                "carol", Instant.EPOCH, "carol", null);
        assertThat(codec.write(agent)).contains("\"status\":\"PAUSED\"");
        assertThat(codec.write(prd)).contains("\"status\":\"REVIEW\"");
        assertThat(ExactJson.mapper().writeValueAsString(agent)).as("the wire form").contains("\"status\":\"paused\"");
    }

    @Test
    void cacheEntriesWrittenWithLowerCaseStatusesRead() {
        Prd prd = new Prd(UUID.randomUUID(), "search", "Search", "", PrdStatus.APPROVED, Map.of(), null, 1,
                Instant.EPOCH, "carol", Instant.EPOCH, "carol", null);
        assertThat(codec.readPrd(codec.write(prd).replace("\"APPROVED\"", "\"approved\""))).contains(prd);
    }

    @Test
    void cacheEntriesWrittenWithUpperCaseStatusesStillRead() {
        Agent agent = new Agent(UUID.randomUUID(), "planner", "Planner", "llm", AgentStatus.RETIRED, Map.of(), Map.of(),
                Map.of(), 1, Instant.EPOCH, "alice", Instant.EPOCH, "alice", null);
        String before = codec.write(agent);
        assertThat(codec.readAgent(before)).contains(agent);
    }

    @Test
    void aPurgeMarkerReadsAsAbsentAndHoldsOnlyWhatTheGuardNeeds() {
        UUID id = UUID.randomUUID();
        String marker = codec.purged(id, 5, 0x1A2B3CL);
        assertThat(codec.isPurged(marker)).isTrue();
        assertThat(codec.readAgent(marker)).isEmpty();
        assertThat(codec.readPrd(marker)).isEmpty();
        assertThat(codec.version(marker)).isEqualTo(5);
        // no field of the purged row (slug, name, payload) survives in the cache
        assertThat(new tools.jackson.databind.ObjectMapper().readTree(marker).propertyNames())
                .containsExactlyInAnyOrder("purged", "id", "version", "purgedLsn");
        assertThat(marker).contains("\"purgedLsn\":\"00000000001A2B3C\"");
    }

    @Test
    void lsnsCompareAsStringsInNumericOrder() {
        // the Lua guard compares them as strings: fixed width keeps 0x9 < 0x10 and stays exact above 2^53
        assertThat(ReadModelCodec.lsn(0x9)).isLessThan(ReadModelCodec.lsn(0x10));
        assertThat(ReadModelCodec.lsn((1L << 53) + 1)).isGreaterThan(ReadModelCodec.lsn(1L << 53));
        assertThat(ReadModelCodec.lsn(Long.MAX_VALUE)).hasSize(16);
    }

    @Test
    void keysAreNamespacedByPrefix() {
        UUID id = UUID.fromString("00000000-0000-0000-0000-000000000001");
        assertThat(new ReadModelKeys("staging").agent(id)).isEqualTo("staging:agent:" + id);
        assertThat(ReadModelKeys.DEFAULT.prdSlug("x")).isEqualTo("factory:prd-slug:x");
    }
}
