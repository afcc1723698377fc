package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An entity cannot grow past max-entity-bytes, whatever the size of each write: the rules measure the version
 * snapshot a write would leave, in UTF-8 bytes, and refuse the write with nothing changed when it is over.
 */
class EntitySizeLimitTest {

    private static final int LIMIT = 4_000;
    private final BatchState state = new BatchState();
    private final EventApplier applier = new EventApplier(LIMIT);
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final UUID agent = UUID.randomUUID();
    private final UUID prd = UUID.randomUUID();

    @Test
    void smallPatchesAccumulateUpToTheLimitAndTheOneThatWouldCrossItIsRejectedChangingNothing() {
        apply(applier, agent, agentCreate("a-1", null));
        int applied = 0;
        WriteOutcome o = apply(applier, agent, metadataPatch("k0", "x".repeat(500)));
        while (o.status() == Status.APPLIED && applied < 20) {
            o = apply(applier, agent, metadataPatch("k" + ++applied, "x".repeat(500)));
        }
        assertThat(applied).as("each 500-byte patch fits, several of them together too").isBetween(5, 7);
        assertThat(o.status()).isEqualTo(Status.REJECTED);
        assertThat(o.reason()).startsWith("agent " + agent + " would be ").contains("over the limit of 4000 bytes",
                "factory.ingest.max-entity-bytes");
        AgentRow row = state.agents.get(agent);
        assertThat(row.version).isEqualTo(1 + applied);
        assertThat(row.metadata.has("k" + applied)).isFalse();
        assertThat(state.agentVersions).hasSize(1 + applied);
        assertThat(state.audit).hasSize(1 + applied);
        assertThat(state.processedRows).last().extracting(BatchState.ProcessedRow::outcome).isEqualTo("REJECTED");
        assertThat(apply(applier, agent, metadataPatch("k0", null)).version()).as("a later write of the same agent")
                .isEqualTo(2 + applied);
        assertThat(state.agentVersions).last().extracting(BatchState.VersionRow::snapshot).asString()
                .doesNotContain("\"k" + applied + "\"").contains("\"updated_by\":\"t\"");
    }

    @Test
    void aSnapshotOfExactlyTheLimitInUtf8BytesIsAppliedAndOneByteMoreIsRejected() {
        // Two bytes per "é": a limit counted in chars would let the second write through.
        WriteCommand create = agentCreate("a-1", null);
        WriteCommand grow = metadataPatch("pad", "é".repeat(1_500));
        EventApplier unlimited = new EventApplier(Integer.MAX_VALUE);
        apply(unlimited, agent, create);
        apply(unlimited, agent, grow);
        int bytes = state.agentVersions.get(1).snapshot().getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes).isGreaterThan(state.agentVersions.get(1).snapshot().length());

        assertThat(applyInNewBatch(bytes, create, grow).status()).isEqualTo(Status.APPLIED);
        WriteOutcome over = applyInNewBatch(bytes - 1, create, grow);
        assertThat(over.status()).isEqualTo(Status.REJECTED);
        assertThat(over.reason()).contains("would be " + bytes + " bytes");
    }

    @Test
    void aCreateOrStatePutOverTheLimitIsRejectedAndTheCreateLeavesItsSlugFree() {
        ObjectNode big = obj().put("blob", "x".repeat(LIMIT));
        assertThat(apply(applier, agent, agentCreate("a-1", big)).status()).isEqualTo(Status.REJECTED);
        assertThat(state.agents).isEmpty();
        assertThat(apply(applier, agent, agentCreate("a-1", null)).status()).isEqualTo(Status.APPLIED);
        assertThat(apply(applier, agent, new WriteCommand.AgentStatePut(big)).status()).isEqualTo(Status.REJECTED);
        assertThat(state.agents.get(agent).state.isEmpty()).isTrue();
        assertThat(state.agentVersions).hasSize(1);
    }

    @Test
    void aHistoryEntryOverTheLimitIsRejected() {
        apply(applier, agent, agentCreate("a-1", null));
        WriteOutcome o = apply(applier, agent, new WriteCommand.AgentHistoryAppend("learning",
                obj().put("note", "x".repeat(LIMIT)), null));
        assertThat(o.reason()).startsWith("the history entry for agent " + agent);
        assertThat(state.history).isEmpty();
    }

    @Test
    void aPrdBodyOrLinkOverTheLimitIsRejectedWithItsStatusMoveAndTheLinkUndone() {
        apply(applier, prd, new WriteCommand.PrdCreate("p-1", "t", "short", null, null, null));
        ObjectNode patch = obj().put("status", "review").put("body", "x".repeat(LIMIT));
        WriteOutcome body = apply(applier, prd, new WriteCommand.PrdUpdate(patch));
        assertThat(body.reason()).startsWith("PRD " + prd + " would be ");
        PrdRow row = state.prds.get(prd);
        assertThat(row.status).isEqualTo("draft");
        assertThat(row.body).isEqualTo("short");
        assertThat(row.statusSteps).isEmpty();

        apply(applier, prd, new WriteCommand.PrdUpdate(obj().put("body", "x".repeat(LIMIT - 600))));
        apply(applier, agent, agentCreate("a-1", null));
        String role = "r".repeat(100);
        WriteOutcome link = apply(applier, prd, new WriteCommand.PrdLinkAgent(agent, role));
        assertThat(link.status()).isEqualTo(Status.APPLIED);
        WriteOutcome relink = apply(applier, prd, new WriteCommand.PrdLinkAgent(agent, role + role.repeat(4)));
        assertThat(relink.status()).isEqualTo(Status.REJECTED);
        assertThat(row.links.get(agent).role()).isEqualTo(role);
        assertThat(row.version).isEqualTo(3);
    }

    @Test
    void anEntityAlreadyOverTheLimitCanStillBeUnlinkedAndDeleted() {
        EventApplier unlimited = new EventApplier(Integer.MAX_VALUE);
        apply(unlimited, agent, agentCreate("a-1", null));
        apply(unlimited, prd, new WriteCommand.PrdCreate("p-1", "t", "x".repeat(2 * LIMIT), null, null, null));
        apply(unlimited, prd, new WriteCommand.PrdLinkAgent(agent, null));
        apply(unlimited, agent, new WriteCommand.AgentUpdate(obj().set("config", obj().put("x", "x".repeat(LIMIT)))));

        assertThat(apply(applier, prd, new WriteCommand.PrdUnlinkAgent(agent)).status()).isEqualTo(Status.APPLIED);
        assertThat(apply(applier, prd, new WriteCommand.PrdDelete()).status()).isEqualTo(Status.APPLIED);
        assertThat(apply(applier, agent, new WriteCommand.AgentDelete()).status()).isEqualTo(Status.APPLIED);
    }

    @Test
    void everyRecordUnderTheDefaultMaxPayloadBytesFitsAsANewEntityUnderTheDefaultLimit() throws IOException {
        // The longest actor, every char of it escaped to six bytes: the snapshot carries it twice, the record once.
        String actor = "\\u0001".repeat(200);
        EventApplier defaults = new EventApplier(defaultMaxEntityBytes());
        String agentCreate = maximalRecord(agent, "agent.create", actor, "{\"slug\":\"" + "a".repeat(100)
                + "\",\"name\":\"" + "n".repeat(200) + "\",\"kind\":\"" + "k".repeat(100)
                + "\",\"config\":{\"pad\":\"PAD\"}}");
        String prdCreate = maximalRecord(prd, "prd.create", actor, "{\"slug\":\"" + "p".repeat(100)
                + "\",\"title\":\"" + "t".repeat(300) + "\",\"owner\":\"" + "o".repeat(200) + "\",\"body\":\""
                + "b".repeat(1 << 20) + "\",\"metadata\":{\"pad\":\"PAD\"}}");
        for (String record : new String[] {agentCreate, prdCreate}) {
            WriteEnvelope e = new WriteCodec().decode(record.getBytes(StandardCharsets.UTF_8));
            assertThat(defaults.apply(e, state, now).status()).isEqualTo(Status.APPLIED);
        }
    }

    /** The limit in application.yml, which the worker starts with. */
    static int defaultMaxEntityBytes() throws IOException {
        Matcher m = Pattern.compile("max-entity-bytes: \\$\\{FACTORY_INGEST_MAX_ENTITY_BYTES:(\\d+)}")
                .matcher(Files.readString(Path.of("src/main/resources/application.yml")));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** A record of exactly {@link WriteCodec#DEFAULT_MAX_BYTES}, its payload's PAD filled up to it. */
    private static String maximalRecord(UUID id, String type, String actor, String payload) {
        String record = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"" + type + "\",\"entityId\":\"" + id
                + "\",\"actor\":\"" + actor + "\",\"occurredAt\":\"2026-11-27T10:15:30.123456Z\",\"schemaVersion\":1,"
                + "\"payload\":" + payload + "}";
        return record.replace("PAD", "x".repeat(WriteCodec.DEFAULT_MAX_BYTES - record.length() + 3));
    }

    @Test
    void theUtf8LengthCountsEachCharacterAsItsEncodingDoes() {
        String s = "\"a\u00e9\u20ac\ud83d\ude00\u007f\u0800\"";
        assertThat(EntitySizeLimit.compactUtf8Length(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void postgresqlsSpacedTextOfAColumnMeasuresAsItsCompactForm() {
        // jsonb::text, as a batch loads a column a write leaves alone, against the same value written compactly
        String loaded = "{\"a\": [1, 2, {\"b\": \"x, y: \\\" z\"}], \"c\": \"\u00e9 \"}";
        String compact = "{\"a\":[1,2,{\"b\":\"x, y: \\\" z\"}],\"c\":\"\u00e9 \"}";
        assertThat(EntitySizeLimit.compactUtf8Length(loaded)).isEqualTo(compact.getBytes(StandardCharsets.UTF_8).length);
        assertThat(new EntitySizeLimit(compact.getBytes(StandardCharsets.UTF_8).length).refusal("agent", "a1", loaded))
                .as("it fits exactly, spaces or not").isNull();
    }

    private WriteOutcome applyInNewBatch(int limit, WriteCommand... commands) {
        BatchState fresh = new BatchState();
        EventApplier limited = new EventApplier(limit);
        WriteOutcome last = null;
        for (WriteCommand c : commands) {
            last = limited.apply(envelope(agent, c), fresh, now);
        }
        return last;
    }

    private WriteOutcome apply(EventApplier a, UUID id, WriteCommand c) {
        return a.apply(envelope(id, c), state, now);
    }

    private WriteEnvelope envelope(UUID id, WriteCommand c) {
        return new WriteEnvelope(UUID.randomUUID(), id, null, "t", now, 1, c);
    }

    private static WriteCommand.AgentCreate agentCreate(String slug, ObjectNode config) {
        return new WriteCommand.AgentCreate(slug, "name", "kind", null, config, null, null);
    }

    private static WriteCommand.AgentUpdate metadataPatch(String key, String value) {
        ObjectNode metadata = obj();
        if (value == null) {
            metadata.putNull(key);
        } else {
            metadata.put(key, value);
        }
        return new WriteCommand.AgentUpdate(obj().set("metadata", metadata));
    }

    private static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }
}
