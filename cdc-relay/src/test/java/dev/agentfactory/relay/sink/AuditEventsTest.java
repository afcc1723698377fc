package dev.agentfactory.relay.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.relay.change.RowChange.Op;
import tools.jackson.databind.json.JsonMapper;

class AuditEventsTest {

    final AuditEvents events = new AuditEvents(new Rows(JsonMapper.builder().build()));
    final UUID agent = UUID.randomUUID();
    final UUID prd = UUID.randomUUID();

    @Test
    void anEntityChangeCarriesTheEventIdActorAndChangeTypeOfItsVersionRow() {
        UUID eventId = UUID.randomUUID();
        List<AuditEvent> out = events.of(List.of(
                change("agents", Op.UPDATE, agentRow(1), agentRow(2)),
                change("agent_versions", Op.INSERT, null, version("agent_id", agent, 2, "state", eventId))));
        assertThat(out).hasSize(1);
        AuditEvent e = out.get(0);
        assertThat(e.op()).isEqualTo("state");
        assertThat(e.eventId()).isEqualTo(eventId);
        assertThat(e.actor()).isEqualTo("alice");
        assertThat(e.version()).isEqualTo(2);
        assertThat(e.before()).containsEntry("version", 1L);
        assertThat(e.after()).containsEntry("config", Map.of("k", "v")); // jsonb as JSON, not a string
    }

    @Test
    void versionsFoldedIntoOneRowUpdateStillEachGetAnEvent() {
        List<AuditEvent> out = events.of(List.of(
                change("agents", Op.UPDATE, agentRow(1), agentRow(3)),
                change("agent_versions", Op.INSERT, null, version("agent_id", agent, 2, "update", UUID.randomUUID())),
                change("agent_versions", Op.INSERT, null, version("agent_id", agent, 3, "update", UUID.randomUUID()))));
        assertThat(out).extracting(AuditEvent::version).containsExactly(2L, 3L);
        assertThat(out).extracting(AuditEvent::id).containsOnly(agent);
    }

    @Test
    void oneEntitysEventsGoOutInCommitOrderWhenAFoldedTransactionAndTheNextOneShareADelivery() {
        List<AuditEvent> out = events.of(List.of(
                change(41, "agents", Op.UPDATE, agentRow(1), agentRow(3)),
                change(41, "agent_versions", Op.INSERT, null, version("agent_id", agent, 2, "update", UUID.randomUUID())),
                change(41, "agent_history", Op.INSERT, null, history(7L)),
                change(41, "agent_versions", Op.INSERT, null, version("agent_id", agent, 3, "update", UUID.randomUUID())),
                change(42, "agents", Op.UPDATE, agentRow(3), agentRow(4)),
                change(42, "agent_versions", Op.INSERT, null, version("agent_id", agent, 4, "state", UUID.randomUUID()))));
        assertThat(out).extracting(e -> e.op() + ":" + e.version())
                .containsExactly("update:2", "history:null", "update:3", "state:4");
    }

    @Test
    void aLinkIsAnEventOfThePrdWithTheVersionItBumped() {
        Map<String, Object> link = new HashMap<>(Map.of("prd_id", prd.toString(), "agent_id", agent.toString(),
                "role", "implementer", "linked_by", "bob"));
        List<AuditEvent> out = events.of(List.of(
                change("prd_agents", Op.DELETE, link, null),
                change("prd_versions", Op.INSERT, null, version("prd_id", prd, 7, "unlink", UUID.randomUUID()))));
        AuditEvent unlink = out.stream().filter(e -> e.table().equals("prd_agents")).findFirst().orElseThrow();
        assertThat(unlink.op()).isEqualTo("unlink");
        assertThat(unlink.entity()).isEqualTo("prd");
        assertThat(unlink.id()).isEqualTo(prd);
        assertThat(unlink.version()).isEqualTo(7);
    }

    @Test
    void historyEntriesOfOneAgentCopiedInOneStatementAreNotDuplicatesUnderTheDocumentedDedupKeys() {
        // the worker COPYs history rows: one WAL record, so both changes carry the same LSN
        List<AuditEvent> out = events.of(List.of(
                change("agent_history", Op.INSERT, null, history(1L)),
                change("agent_history", Op.INSERT, null, history(2L))));
        assertThat(out).hasSize(2);
        assertThat(out).extracting(AuditEventsTest::documentedDedupKey).doesNotHaveDuplicates();
    }

    @Test
    void aLinkAndTheUpdateOfItsPrdRowAreNotDuplicatesUnderTheDocumentedDedupKeys() {
        UUID linkEvent = UUID.randomUUID();
        List<AuditEvent> out = events.of(List.of(
                change("prds", Op.UPDATE, prdRow(1), prdRow(2)),
                change("prd_versions", Op.INSERT, null, linkVersion(2, linkEvent, "link", agent)),
                change("prd_agents", Op.INSERT, null, link(agent, "implementer"))));
        assertThat(out).filteredOn(e -> e.table().equals("prd_agents")).hasSize(1);
        assertThat(out).extracting(AuditEventsTest::documentedDedupKey).doesNotHaveDuplicates();
    }

    @Test
    void eachLinkOfOneTransactionCarriesTheVersionAndEventIdOfItsOwnCommand() {
        UUID otherAgent = UUID.randomUUID();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        // one worker batch: link agent (v2), then link otherAgent (v3); the PRD row is updated once, to v3
        List<AuditEvent> out = events.of(List.of(
                change("prds", Op.UPDATE, prdRow(1), prdRow(3)),
                change("prd_versions", Op.INSERT, null, linkVersion(2, first, "link", agent)),
                change("prd_versions", Op.INSERT, null, linkVersion(3, second, "link", agent, otherAgent)),
                change("prd_agents", Op.INSERT, null, link(agent, "implementer")),
                change("prd_agents", Op.INSERT, null, link(otherAgent, "implementer"))));
        AuditEvent firstLink = linkEventOf(out, agent);
        assertThat(firstLink.version()).isEqualTo(2);
        assertThat(firstLink.eventId()).isEqualTo(first);
        AuditEvent secondLink = linkEventOf(out, otherAgent);
        assertThat(secondLink.version()).isEqualTo(3);
        assertThat(secondLink.eventId()).isEqualTo(second);
    }

    @Test
    void aPurgesDeleteEventsCarryTheDeletedRowsIdentityButNotItsContent() {
        Map<String, Object> entry = history(9L);
        Map<String, Object> purged = agentRow(4);
        purged.put("created_at", "2026-01-01T00:00:00Z");
        List<AuditEvent> out = events.of(List.of(change("agent_history", Op.DELETE, entry, null),
                change("agents", Op.DELETE, purged, null)));

        assertThat(out).extracting(AuditEvent::op).containsExactly("history", "purge");
        assertThat(out.get(0).before()).containsOnlyKeys("seq", "agent_id").containsEntry("seq", 9L);
        assertThat(out.get(0).id()).isEqualTo(agent);
        assertThat(out).extracting(AuditEvent::actor).containsOnlyNulls();
        assertThat(out).extracting(AuditEvent::eventId).containsOnlyNulls();
        assertThat(out.get(1).before()).containsOnlyKeys("id", "version", "created_at").containsEntry("version", 4L);
    }

    @Test
    void aKeyOnlyHistoryDeleteThatNamesNoAgentIsLeftOutAndThePurgeStillGoesOut() {
        // as Debezium gave it before V4_5: the key, and the other NOT NULL columns empty
        Map<String, Object> keyOnly = new HashMap<>(Map.of("seq", 9L, "agent_id", "", "kind", "", "entry", "",
                "actor", "", "event_id", ""));
        List<AuditEvent> out = events.of(List.of(change("agent_history", Op.DELETE, keyOnly, null),
                change("agents", Op.DELETE, agentRow(4), null)));

        assertThat(out).extracting(AuditEvent::op).containsExactly("purge");
    }

    /** The key cdc-relay/README.md tells consumers to deduplicate on. */
    static List<Object> documentedDedupKey(AuditEvent e) {
        Map<String, Object> row = e.after() != null ? e.after() : e.before();
        Object own = switch (e.table()) {
            case "agent_history" -> row.get("seq");
            case "prd_agents" -> row.get("agent_id");
            default -> null;
        };
        return java.util.Arrays.asList(e.table(), e.lsn(), e.op(), e.id(), e.version(), own);
    }

    private static AuditEvent linkEventOf(List<AuditEvent> out, UUID agentId) {
        return out.stream().filter(e -> e.table().equals("prd_agents")
                && agentId.toString().equals(e.after().get("agent_id"))).findFirst().orElseThrow();
    }

    private Map<String, Object> history(long seq) {
        return new HashMap<>(Map.of("seq", seq, "agent_id", agent.toString(), "kind", "learning",
                "entry", "{\"n\": " + seq + "}", "actor", "alice", "event_id", UUID.randomUUID().toString()));
    }

    private Map<String, Object> prdRow(long version) {
        Map<String, Object> r = new HashMap<>();
        r.put("id", prd.toString());
        r.put("version", version);
        r.put("metadata", "{}");
        r.put("updated_by", "bob");
        r.put("deleted_at", null);
        return r;
    }

    private Map<String, Object> link(UUID agentId, String role) {
        return new HashMap<>(Map.of("prd_id", prd.toString(), "agent_id", agentId.toString(), "role", role,
                "linked_by", "bob"));
    }

    private Map<String, Object> linkVersion(long version, UUID eventId, String type, UUID... linked) {
        StringBuilder agents = new StringBuilder("[");
        for (UUID a : linked) {
            agents.append(agents.length() > 1 ? "," : "").append("{\"agent_id\": \"").append(a)
                    .append("\", \"role\": \"implementer\"}");
        }
        Map<String, Object> v = version("prd_id", prd, version, type, eventId);
        v.put("snapshot", "{\"agents\": " + agents + "]}");
        return v;
    }

    private Map<String, Object> agentRow(long version) {
        Map<String, Object> r = new HashMap<>();
        r.put("id", agent.toString());
        r.put("version", version);
        r.put("config", "{\"k\": \"v\"}");
        r.put("updated_by", "someone");
        r.put("deleted_at", null);
        return r;
    }

    private static Map<String, Object> version(String parent, UUID id, long version, String type, UUID eventId) {
        return new HashMap<>(Map.of(parent, id.toString(), "version", version, "change_type", type,
                "snapshot", "{}", "actor", "alice", "event_id", eventId.toString()));
    }

    private static RowChange change(String table, Op op, Map<String, Object> before, Map<String, Object> after) {
        return change(42, table, op, before, after);
    }

    private static RowChange change(long tx, String table, Op op, Map<String, Object> before,
                                    Map<String, Object> after) {
        return new RowChange(table, op, before, after, tx, 100, Instant.parse("2026-01-01T00:00:00Z"));
    }
}
