package dev.agentfactory.store.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentfactory.store.Store;
import dev.agentfactory.store.agent.AgentStatus;

class LegacyImporterTest {

    static final UUID SCOUT = UUID.fromString("6f1c2a9e-1b7d-4c1e-9a51-0d3c7e2b4a10");
    static final UUID CHECKOUT = UUID.fromString("c3d2e1f0-aaaa-4bbb-8ccc-0123456789ab");

    private final Store store = Store.inMemory();

    @Test
    void goodRecordsImportAndEachBadRecordIsReportedWithItsKey() {
        ImportReport report = new LegacyImporter(store).importSnapshot(snapshot());

        assertThat(report.badRecords()).containsExactlyInAnyOrder(
                "agents/9d0a7c3e-5f21-4b8a-a1c4-2e6f8b0d1c77: missing slug",
                "agents/not-a-uuid: key 'not-a-uuid' is not a UUID",
                "prds/c3d2e1f0-aaaa-4bbb-8ccc-0123456789ab/agents/11111111-2222-4333-8444-555555555555:"
                        + " refers to a missing live PRD c3d2e1f0-aaaa-4bbb-8ccc-0123456789ab"
                        + " and agent 11111111-2222-4333-8444-555555555555",
                "prds/d4e5f6a7-bbbb-4ccc-8ddd-0123456789ab: status 'shipped' is not one of"
                        + " [draft, review, approved, archived]");
        // 2 agents + 2 history entries + 1 PRD + 1 link
        assertThat(report.writtenCount()).isEqualTo(6);

        var scout = store.agents().findBySlug("market-scout").orElseThrow();
        assertThat(scout.id()).isEqualTo(SCOUT);
        assertThat(scout.version()).isEqualTo(1);
        assertThat(scout.config()).containsEntry("model", "large");
        assertThat(scout.updatedAt()).isEqualTo(Instant.parse("2026-01-20T17:02:11.123456Z"));
        assertThat(store.agents().findBySlug("spec-writer").orElseThrow().status()).isEqualTo(AgentStatus.PAUSED);
        assertThat(store.agents().history(SCOUT, 0, 10).items()).extracting(h -> h.recordedAt())
                .containsExactly(Instant.parse("2025-12-01T10:00:00Z"), Instant.parse("2026-01-10T09:00:00Z"));
        assertThat(store.prds().links(CHECKOUT)).singleElement()
                .satisfies(l -> assertThat(l.role()).isEqualTo("researcher"));
    }

    @Test
    void aSecondRunChangesNothing() {
        new LegacyImporter(store).importSnapshot(snapshot());
        long auditBefore = auditCount();

        ImportReport second = new LegacyImporter(store).importSnapshot(snapshot());

        assertThat(second.writtenCount()).isZero();
        assertThat(second.unchangedCount()).isEqualTo(6);
        assertThat(auditCount()).isEqualTo(auditBefore);
        assertThat(store.agents().history(SCOUT, 0, 10).items()).hasSize(2);
    }

    @Test
    void aDocumentThatIsNotASnapshotIsRefusedAsAWhole() {
        assertThatThrownBy(() -> new LegacyImporter(store).importSnapshot(text("[1, 2]")))
                .hasMessageContaining("\"agents\" and/or \"prds\"");
        assertThatThrownBy(() -> new LegacyImporter(store).importSnapshot(text("{\"agents\": ")))
                .hasMessageContaining("not a JSON document");
    }

    @Test
    void aListOfTheWrongJsonTypeIsABadRecordAndTheOthersStillImport() {
        String bad = "9d0a7c3e-5f21-4b8a-a1c4-2e6f8b0d1c77";
        String prd = "d4e5f6a7-bbbb-4ccc-8ddd-0123456789ab";
        ImportReport report = new LegacyImporter(store).importSnapshot(text("{\"agents\": {"
                + "\"" + bad + "\": {\"slug\": \"keyed\", \"name\": \"K\", \"kind\": \"k\","
                + " \"created_at\": \"2026-01-01T00:00:00Z\", \"history\": {\"0\": {\"kind\": \"learning\"}}},"
                + "\"" + SCOUT + "\": {\"slug\": \"fine\", \"name\": \"F\", \"kind\": \"k\","
                + " \"created_at\": \"2026-01-01T00:00:00Z\", \"history\": []}},"
                + " \"prds\": {\"" + prd + "\": {\"slug\": \"p\", \"title\": \"P\","
                + " \"created_at\": \"2026-01-01T00:00:00Z\", \"agents\": \"x\"}}}"));

        assertThat(report.badRecords()).containsExactlyInAnyOrder(
                "agents/" + bad + ": history must be a JSON array, is an object",
                "prds/" + prd + ": agents must be a JSON array, is a string");
        assertThat(store.agents().findBySlug("fine")).isPresent();
        assertThat(store.agents().findBySlug("keyed")).isEmpty();
        assertThat(report.writtenCount()).isEqualTo(1);
    }

    @Test
    void aDictionaryWrittenAsAListIsReportedNotSilentlySkipped() {
        ImportReport report = new LegacyImporter(store).importSnapshot(text("{\"agents\": [{\"slug\": \"a\"}],"
                + " \"prds\": {\"" + CHECKOUT + "\": {\"slug\": \"p\", \"title\": \"P\","
                + " \"created_at\": \"2026-01-01T00:00:00Z\"}}}"));

        assertThat(report.badRecords()).containsExactly("agents: must be a JSON object keyed by id, is an array");
        assertThat(report.clean()).isFalse();
        assertThat(store.prds().findBySlug("p")).isPresent();
    }

    private long auditCount() {
        Instant from = Instant.EPOCH;
        Instant to = Instant.now().plusSeconds(60);
        return store.audit().byTime(from, to, null, 500).items().size();
    }

    static InputStream snapshot() {
        return LegacyImporterTest.class.getResourceAsStream("/legacy/snapshot.json");
    }

    private static InputStream text(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }
}
