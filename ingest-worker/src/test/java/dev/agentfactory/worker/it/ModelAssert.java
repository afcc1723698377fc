package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;

/**
 * Compares a database with the model of the workloads sent to it, row by row. Public (through this module's
 * test jar) for the gateway's whole-pipeline crash test, which runs the same workload through every component.
 */
public final class ModelAssert {

    /** A connection to the database under test, with rights to read the factory schema. */
    public interface Database {
        Connection sql() throws SQLException;
    }

    private ModelAssert() {
    }

    static void assertMatches(TestBed bed, Workload... parts) throws SQLException {
        assertMatches(bed::sql, parts);
    }

    public static void assertMatches(Database bed, Workload... parts) throws SQLException {
        Map<UUID, Workload.AgentModel> agents = new HashMap<>();
        Map<UUID, Workload.PrdModel> prds = new HashMap<>();
        Map<Status, Integer> outcomes = new HashMap<>();
        long events = 0;
        long history = 0;
        for (Workload w : parts) {
            agents.putAll(w.agents);
            prds.putAll(w.prds);
            w.outcomes.forEach((k, v) -> outcomes.merge(k, v, Integer::sum));
            events += w.distinctEvents;
            history += w.agents.values().stream().mapToInt(a -> a.history).sum();
        }
        int applied = outcomes.getOrDefault(Status.APPLIED, 0);
        long agentVersions = agents.values().stream().mapToLong(Workload.AgentModel::version).sum();
        long prdVersions = prds.values().stream().mapToLong(Workload.PrdModel::version).sum();
        assertThat(count(bed, "SELECT count(*) FROM factory.processed_events")).as("processed events").isEqualTo(events);
        assertThat(count(bed, "SELECT count(*) FROM factory.processed_events WHERE outcome = 'APPLIED'"))
                .as("APPLIED outcomes").isEqualTo((long) applied);
        assertThat(count(bed, "SELECT count(*) FROM factory.processed_events WHERE outcome = 'CONFLICT'"))
                .as("CONFLICT outcomes").isEqualTo((long) outcomes.getOrDefault(Status.CONFLICT, 0));
        assertThat(count(bed, "SELECT count(*) FROM factory.processed_events WHERE outcome = 'REJECTED'"))
                .as("REJECTED outcomes").isEqualTo((long) outcomes.getOrDefault(Status.REJECTED, 0));
        assertThat(count(bed, "SELECT count(*) FROM factory.audit_log")).as("audit rows").isEqualTo((long) applied);
        assertThat(count(bed, "SELECT count(DISTINCT event_id) FROM factory.audit_log")).as("audited events")
                .isEqualTo((long) applied);
        assertThat(count(bed, "SELECT count(*) FROM factory.agents")).as("agents").isEqualTo((long) agents.size());
        assertThat(count(bed, "SELECT count(*) FROM factory.prds")).as("PRDs").isEqualTo((long) prds.size());
        assertThat(count(bed, "SELECT count(*) FROM factory.agent_versions")).as("agent versions").isEqualTo(agentVersions);
        assertThat(count(bed, "SELECT count(*) FROM factory.prd_versions")).as("PRD versions").isEqualTo(prdVersions);
        assertThat(count(bed, "SELECT count(*) FROM factory.agent_history")).as("history rows").isEqualTo(history);
        assertThat(count(bed, "SELECT count(*) FROM factory.prd_agents")).as("links")
                .isEqualTo(prds.values().stream().filter(p -> p.link != null).count());
        try (Connection c = bed.sql(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT a.id, a.version, a.name, a.status, a.deleted_at IS NOT NULL, "
                    + "(SELECT count(*) FROM factory.agent_versions v WHERE v.agent_id = a.id), "
                    + "(SELECT count(*) FROM factory.agent_history h WHERE h.agent_id = a.id) FROM factory.agents a")) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    Workload.AgentModel m = agents.get(id);
                    assertThat(m).as("agent %s is in the model", id).isNotNull();
                    assertThat(rs.getLong(2)).as("version of agent %s", id).isEqualTo(m.version());
                    assertThat(rs.getString(3)).as("name of agent %s", id).isEqualTo(m.name);
                    assertThat(rs.getString(4)).as("status of agent %s", id).isEqualTo(m.status);
                    assertThat(rs.getBoolean(5)).as("deleted agent %s", id).isEqualTo(m.deleted);
                    assertThat(rs.getLong(6)).as("version rows of agent %s", id).isEqualTo(m.version());
                    assertThat(rs.getLong(7)).as("history of agent %s", id).isEqualTo((long) m.history);
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT p.id, p.version, p.title, p.status, p.deleted_at IS NOT NULL, "
                    + "(SELECT count(*) FROM factory.prd_versions v WHERE v.prd_id = p.id), "
                    + "(SELECT count(*) FROM factory.prd_agents l WHERE l.prd_id = p.id) FROM factory.prds p")) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    Workload.PrdModel m = prds.get(id);
                    assertThat(m).as("PRD %s is in the model", id).isNotNull();
                    assertThat(rs.getLong(2)).as("version of PRD %s", id).isEqualTo(m.version());
                    assertThat(rs.getString(3)).as("title of PRD %s", id).isEqualTo(m.title);
                    assertThat(rs.getString(4)).as("status of PRD %s", id).isEqualTo(m.status);
                    assertThat(rs.getBoolean(5)).as("deleted PRD %s", id).isEqualTo(m.deleted);
                    assertThat(rs.getLong(6)).as("version rows of PRD %s", id).isEqualTo(m.version());
                    assertThat(rs.getLong(7)).as("links of PRD %s", id).isEqualTo(m.link != null ? 1 : 0);
                }
            }
        }
        Map<UUID, Workload.Expected> expected = new HashMap<>();
        for (Workload w : parts) {
            expected.putAll(w.expected);
        }
        assertEventRows(bed, expected);
        assertVersionRows(bed, agents, prds);
    }

    /**
     * Every event's dedup row (its outcome and version), and the audit row of every applied one, as the model has
     * them. The counts above already say there are no others.
     */
    private static void assertEventRows(Database bed, Map<UUID, Workload.Expected> expected) throws SQLException {
        List<String> wrong = new ArrayList<>();
        Map<UUID, Workload.Expected> processed = new HashMap<>();
        Map<UUID, Workload.Expected> audited = new HashMap<>();
        try (Connection c = bed.sql(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT event_id, entity_id, outcome, version FROM factory.processed_events")) {
                while (rs.next()) {
                    processed.put(rs.getObject(1, UUID.class), new Workload.Expected(rs.getObject(2, UUID.class),
                            Status.valueOf(rs.getString(3)), rs.getObject(4, Long.class)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT event_id, entity_id, version FROM factory.audit_log")) {
                while (rs.next()) {
                    audited.put(rs.getObject(1, UUID.class), new Workload.Expected(rs.getObject(2, UUID.class),
                            Status.APPLIED, rs.getObject(3, Long.class)));
                }
            }
        }
        expected.forEach((eventId, e) -> {
            if (!e.equals(processed.get(eventId))) {
                wrong.add("event " + eventId + ": expected " + e + ", processed_events has " + processed.get(eventId));
            }
            Workload.Expected audit = e.status() == Status.APPLIED ? e : null;
            if (!java.util.Objects.equals(audit, audited.get(eventId))) {
                wrong.add("event " + eventId + ": expected the audit row " + audit + ", audit_log has "
                        + audited.get(eventId));
            }
        });
        assertThat(wrong).as("events whose rows differ from the model (%d)", wrong.size()).isEmpty();
    }

    /** Every version row: the event that made it, its change type and the entity as it left it. */
    private static void assertVersionRows(Database bed, Map<UUID, Workload.AgentModel> agents,
                                          Map<UUID, Workload.PrdModel> prds) throws SQLException {
        List<String> wrong = new ArrayList<>();
        try (Connection c = bed.sql(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT agent_id, version, (snapshot->>'version')::bigint, event_id, "
                    + "change_type, snapshot->>'name', snapshot->>'status', (snapshot->'state'->>'step')::int, "
                    + "snapshot->>'deleted_at' IS NOT NULL FROM factory.agent_versions")) {
                while (rs.next()) {
                    Workload.AgentModel m = agents.get(rs.getObject(1, UUID.class));
                    int v = (int) rs.getLong(2);
                    Workload.AgentVersion actual = new Workload.AgentVersion(rs.getObject(4, UUID.class),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getObject(8, Integer.class),
                            rs.getBoolean(9));
                    Workload.AgentVersion model = m == null || v < 1 || v > m.versions.size() ? null
                            : m.versions.get(v - 1);
                    if (rs.getLong(3) != v || !actual.equals(model)) {
                        wrong.add("agent " + rs.getObject(1) + " v" + v + " (snapshot v" + rs.getLong(3) + "): " + actual
                                + ", the model " + model);
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT prd_id, version, (snapshot->>'version')::bigint, event_id, "
                    + "change_type, snapshot->>'title', snapshot->>'status', "
                    + "CASE jsonb_array_length(snapshot->'agents') WHEN 0 THEN NULL WHEN 1 "
                    + "THEN (snapshot->'agents'->0->>'agent_id')::uuid END, "
                    + "jsonb_array_length(snapshot->'agents'), snapshot->'agents'->0->>'role', "
                    + "snapshot->>'deleted_at' IS NOT NULL FROM factory.prd_versions")) {
                while (rs.next()) {
                    Workload.PrdModel m = prds.get(rs.getObject(1, UUID.class));
                    int v = (int) rs.getLong(2);
                    Workload.PrdVersion actual = new Workload.PrdVersion(rs.getObject(4, UUID.class), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getObject(8, UUID.class), rs.getBoolean(11));
                    Workload.PrdVersion model = m == null || v < 1 || v > m.versions.size() ? null
                            : m.versions.get(v - 1);
                    boolean links = rs.getInt(9) == (model != null && model.link() != null ? 1 : 0)
                            && (rs.getInt(9) == 0 || "reviewer".equals(rs.getString(10)));
                    if (rs.getLong(3) != v || !actual.equals(model) || !links) {
                        wrong.add("PRD " + rs.getObject(1) + " v" + v + " (snapshot v" + rs.getLong(3) + ", "
                                + rs.getInt(9) + " link(s), role " + rs.getString(10) + "): " + actual + ", the model "
                                + model);
                    }
                }
            }
        }
        assertThat(wrong).as("version rows that differ from the model (%d)", wrong.size()).isEmpty();
    }

    /**
     * The results topic against the model: every record of every eventId has an outcome (restatements after a
     * crash add more, never fewer), and each says what the model does: the status (a DUPLICATE's original one) and
     * the version, with a reason for CONFLICT and REJECTED.
     */
    static void assertOutcomes(Map<UUID, List<WriteOutcome>> published, Workload... parts) {
        List<String> wrong = new ArrayList<>();
        for (Workload w : parts) {
            Map<UUID, Integer> sent = new HashMap<>();
            w.sends.forEach(e -> sent.merge(e.eventId(), 1, Integer::sum));
            w.expected.forEach((eventId, e) -> {
                List<WriteOutcome> got = published.getOrDefault(eventId, List.of());
                if (got.size() < sent.getOrDefault(eventId, 0)) {
                    wrong.add("event " + eventId + ": " + got.size() + " outcome(s) for " + sent.get(eventId)
                            + " record(s)");
                }
                for (WriteOutcome o : got) {
                    Status status = o.status() == Status.DUPLICATE ? o.originalOutcome() : o.status();
                    boolean reasoned = o.status() == Status.DUPLICATE || status == Status.APPLIED
                            || (o.reason() != null && !o.reason().isBlank());
                    if (status != e.status() || !java.util.Objects.equals(o.version(), e.version()) || !reasoned
                            || !e.entityId().equals(o.entityId())) {
                        wrong.add("event " + eventId + ": expected " + e + ", published " + o);
                    }
                }
            });
        }
        assertThat(wrong).as("outcomes that differ from the model (%d)", wrong.size()).isEmpty();
    }

    private static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.sql(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
