package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The version rules, applied in memory to a batch's state as the worker does between load and write. */
class EventApplierTest {

    private final EventApplier applier = new EventApplier(Integer.MAX_VALUE);
    private final BatchState state = new BatchState();
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final UUID agent = UUID.randomUUID();

    @Test
    void aCreateStartsAtVersionOneWithASnapshotAuditAndDedupRow() {
        WriteOutcome o = apply(agent, null, create("a-1"));
        assertThat(o.status()).isEqualTo(Status.APPLIED);
        assertThat(o.version()).isEqualTo(1);
        assertThat(state.agentVersions).singleElement().satisfies(v -> {
            assertThat(v.changeType()).isEqualTo("create");
            assertThat(v.snapshot()).contains("\"version\":1", "\"slug\":\"a-1\"");
        });
        assertThat(state.audit).hasSize(1);
        assertThat(state.processedRows).singleElement().extracting(BatchState.ProcessedRow::outcome).isEqualTo("APPLIED");
    }

    @Test
    void theSameEventIdAgainIsADuplicateOfTheFirstOutcomeAndChangesNothing() {
        WriteEnvelope create = envelope(agent, null, create("a-1"));
        applier.apply(create, state, now);
        WriteOutcome again = applier.apply(create, state, now);
        assertThat(again.status()).isEqualTo(Status.DUPLICATE);
        assertThat(again.originalOutcome()).isEqualTo(Status.APPLIED);
        assertThat(again.version()).isEqualTo(1);
        assertThat(state.agentVersions).hasSize(1);
        assertThat(state.processedRows).hasSize(1);
    }

    @Test
    void aStaleExpectedVersionIsAConflictWithTheCurrentVersion() {
        apply(agent, null, create("a-1"));
        apply(agent, 1L, update("name", "two"));
        WriteOutcome stale = apply(agent, 1L, update("name", "stale"));
        assertThat(stale.status()).isEqualTo(Status.CONFLICT);
        assertThat(stale.version()).isEqualTo(2);
        assertThat(state.agents.get(agent).name).isEqualTo("two");
    }

    @Test
    void aWriteToADeletedAgentIsAConflict() {
        apply(agent, null, create("a-1"));
        apply(agent, null, new WriteCommand.AgentDelete());
        assertThat(apply(agent, null, update("name", "x")).status()).isEqualTo(Status.CONFLICT);
    }

    @Test
    void aWriteToAnAgentThatDoesNotExistIsRejected() {
        assertThat(apply(agent, null, update("name", "x")).reason()).contains("does not exist");
    }

    @Test
    void aTakenSlugIsRejectedAndARepeatedCreateIsAConflict() {
        apply(agent, null, create("a-1"));
        assertThat(apply(UUID.randomUUID(), null, create("a-1")).status()).isEqualTo(Status.REJECTED);
        assertThat(apply(agent, null, create("a-2")).status()).isEqualTo(Status.CONFLICT);
    }

    @Test
    void anUpdateThatChangesNothingDoesNotBumpAndHistoryNeverBumps() {
        apply(agent, null, create("a-1"));
        assertThat(apply(agent, null, update("status", "active")).version()).isEqualTo(1);
        WriteOutcome h = apply(agent, null, new WriteCommand.AgentHistoryAppend("learning", obj().put("n", 1), null));
        assertThat(h.version()).isEqualTo(1);
        assertThat(state.history).hasSize(1);
        assertThat(state.agentVersions).hasSize(1);
    }

    @Test
    void configIsMergedAsAJsonMergePatch() {
        apply(agent, null, new WriteCommand.AgentCreate("a-1", "n", "k", null, obj().put("a", 1).put("b", 2), null, null));
        ObjectNode patch = obj();
        patch.set("config", obj().put("a", 5).putNull("b"));
        apply(agent, null, new WriteCommand.AgentUpdate(patch));
        assertThat(state.agents.get(agent).config.toString()).isEqualTo("{\"a\":5}");
    }

    @Test
    void aLinkToAnUnknownOrDeletedAgentIsRejectedAndRelinkingIsNoChange() {
        UUID prd = UUID.randomUUID();
        apply(prd, null, new WriteCommand.PrdCreate("p-1", "t", null, null, null, null));
        assertThat(apply(prd, null, new WriteCommand.PrdLinkAgent(UUID.randomUUID(), null)).status())
                .isEqualTo(Status.REJECTED);
        apply(agent, null, create("a-1"));
        assertThat(apply(prd, null, new WriteCommand.PrdLinkAgent(agent, null)).version()).isEqualTo(2);
        assertThat(apply(prd, null, new WriteCommand.PrdLinkAgent(agent, null)).version()).isEqualTo(2);
        apply(agent, null, new WriteCommand.AgentDelete());
        UUID other = UUID.randomUUID();
        apply(other, null, new WriteCommand.PrdCreate("p-2", "t", null, null, null, null));
        assertThat(apply(other, null, new WriteCommand.PrdLinkAgent(agent, null)).status()).isEqualTo(Status.REJECTED);
    }

    @Test
    void prdStatusFollowsTheLifecycleAndEachMoveInABatchIsAWriteStep() {
        UUID prd = UUID.randomUUID();
        apply(prd, null, new WriteCommand.PrdCreate("p-1", "t", null, null, null, null));
        assertThat(apply(prd, null, prdUpdate("approved")).status()).isEqualTo(Status.REJECTED);
        apply(prd, null, prdUpdate("review"));
        apply(prd, null, prdUpdate("approved"));
        PrdRow row = state.prds.get(prd);
        assertThat(row.status).isEqualTo("approved");
        assertThat(row.statusSteps).extracting(s -> s.status).containsExactly("review", "approved");
    }

    @Test
    void theSnapshotCarriesTheTimestampsAtTheMicrosecondPrecisionTheRowIsStoredAt() {
        // A Go writer's RFC 3339 "nano" time; timestamptz keeps microseconds, so the row stores fewer digits.
        Instant nanos = Instant.parse("2026-11-27T10:15:30.123456789Z");
        applier.apply(new WriteEnvelope(UUID.randomUUID(), agent, null, "t", nanos, 1, create("a-1")), state, now);
        AgentRow row = state.agents.get(agent);
        assertThat(row.updatedAt).isEqualTo(row.createdAt).isEqualTo(Instant.parse("2026-11-27T10:15:30.123456Z"));
        assertThat(state.agentVersions).singleElement().extracting(BatchState.VersionRow::snapshot).asString()
                .contains("\"created_at\":\"2026-11-27T10:15:30.123456Z\"",
                        "\"updated_at\":\"2026-11-27T10:15:30.123456Z\"");
    }

    @Test
    void aHistoryEntrysRecordedAtIsStagedRoundedHalfToEvenAsTheServerRoundsIt() {
        apply(agent, null, create("a-1"));
        apply(agent, null, new WriteCommand.AgentHistoryAppend("learning", obj(),
                Instant.parse("2026-11-27T10:15:30.1234565Z")));
        apply(agent, null, new WriteCommand.AgentHistoryAppend("learning", obj(),
                Instant.parse("2026-11-27T10:15:30.1234575Z")));
        assertThat(state.history).extracting(BatchState.HistoryRow::recordedAt).containsExactly(
                Instant.parse("2026-11-27T10:15:30.123456Z"), Instant.parse("2026-11-27T10:15:30.123458Z"));
    }

    @Test
    void numbersInJsonColumnsKeepEveryDigitThroughDecodeAndMergePatch() {
        String precise = "0.12345678901234567890123";
        WriteEnvelope e = new WriteCodec().decode(("{\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"agent.create\","
                + "\"entityId\":\"" + agent + "\",\"actor\":\"t\",\"occurredAt\":\"2026-11-27T10:15:30Z\","
                + "\"schemaVersion\":1,\"payload\":{\"slug\":\"a-1\",\"name\":\"n\",\"kind\":\"k\","
                + "\"config\":{\"rate\":" + precise + ",\"huge\":1e400}}}").getBytes(StandardCharsets.UTF_8));
        applier.apply(e, state, now);
        assertThat(state.agentVersions.get(0).snapshot()).contains("\"rate\":" + precise).doesNotContain("Infinity");
        // A later batch loads the column's text and merges a patch of another key into it.
        UUID other = UUID.randomUUID();
        AgentRow loaded = new AgentRow(other);
        loaded.stored = true;
        loaded.slug = "a-2";
        loaded.name = "n";
        loaded.kind = "k";
        loaded.status = "active";
        loaded.config = new Snapshots().object("{\"rate\": " + precise + ", \"huge\": 1e400}");
        loaded.state = obj();
        loaded.metadata = obj();
        loaded.version = 1;
        state.agents.put(other, loaded);
        ObjectNode patch = obj();
        patch.set("config", obj().put("extra", true));
        apply(other, null, new WriteCommand.AgentUpdate(patch));
        assertThat(state.agentVersions.get(1).snapshot()).contains("\"rate\":" + precise).doesNotContain("Infinity");
    }

    private WriteOutcome apply(UUID id, Long expected, WriteCommand c) {
        return applier.apply(envelope(id, expected, c), state, now);
    }

    private WriteEnvelope envelope(UUID id, Long expected, WriteCommand c) {
        return new WriteEnvelope(UUID.randomUUID(), id, expected, "t", now, 1, c);
    }

    private static WriteCommand.AgentCreate create(String slug) {
        return new WriteCommand.AgentCreate(slug, "name", "kind", null, null, null, null);
    }

    private static WriteCommand.AgentUpdate update(String field, String value) {
        return new WriteCommand.AgentUpdate(obj().put(field, value));
    }

    private static WriteCommand.PrdUpdate prdUpdate(String status) {
        return new WriteCommand.PrdUpdate(obj().put("status", status));
    }

    private static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }
}
