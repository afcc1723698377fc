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
        assertThat(out).extracting(AuditEvent::version).containsExactlyInAnyOrder(2L, 3L);
        assertThat(out).extracting(AuditEvent::id).containsOnly(agent);
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
        return new RowChange(table, op, before, after, 42L, 100, Instant.parse("2026-01-01T00:00:00Z"));
    }
}
