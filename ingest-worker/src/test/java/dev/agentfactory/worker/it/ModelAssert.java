package dev.agentfactory.worker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

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
        long agentVersions = 0;
        long prdVersions = 0;
        long history = 0;
        for (Workload w : parts) {
            agents.putAll(w.agents);
            prds.putAll(w.prds);
            w.outcomes.forEach((k, v) -> outcomes.merge(k, v, Integer::sum));
            events += w.distinctEvents;
            agentVersions += w.agentVersions;
            prdVersions += w.prdVersions;
            history += w.agents.values().stream().mapToInt(a -> a.history).sum();
        }
        int applied = outcomes.getOrDefault(Status.APPLIED, 0);
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
                .isEqualTo(prds.values().stream().filter(p -> p.linked).count());
        // every version row's snapshot is the row at that version; the latest one equals the row itself
        assertThat(count(bed, "SELECT count(*) FROM factory.agent_versions v WHERE (v.snapshot->>'version')::bigint "
                + "<> v.version")).as("agent snapshots at the wrong version").isZero();
        assertThat(count(bed, "SELECT count(*) FROM factory.agents a JOIN factory.agent_versions v "
                + "ON v.agent_id = a.id AND v.version = a.version WHERE v.snapshot->>'name' <> a.name "
                + "OR v.snapshot->>'status' <> a.status OR (v.snapshot->'state') <> a.state"))
                .as("agents whose latest snapshot differs from the row").isZero();
        try (Connection c = bed.sql(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT a.id, a.version, a.name, a.status, a.deleted_at IS NOT NULL, "
                    + "(SELECT count(*) FROM factory.agent_versions v WHERE v.agent_id = a.id), "
                    + "(SELECT count(*) FROM factory.agent_history h WHERE h.agent_id = a.id) FROM factory.agents a")) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    Workload.AgentModel m = agents.get(id);
                    assertThat(m).as("agent %s is in the model", id).isNotNull();
                    assertThat(rs.getLong(2)).as("version of agent %s", id).isEqualTo(m.version);
                    assertThat(rs.getString(3)).as("name of agent %s", id).isEqualTo(m.name);
                    assertThat(rs.getString(4)).as("status of agent %s", id).isEqualTo(m.status);
                    assertThat(rs.getBoolean(5)).as("deleted agent %s", id).isEqualTo(m.deleted);
                    assertThat(rs.getLong(6)).as("version rows of agent %s", id).isEqualTo(m.version);
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
                    assertThat(rs.getLong(2)).as("version of PRD %s", id).isEqualTo(m.version);
                    assertThat(rs.getString(3)).as("title of PRD %s", id).isEqualTo(m.title);
                    assertThat(rs.getString(4)).as("status of PRD %s", id).isEqualTo(m.status);
                    assertThat(rs.getBoolean(5)).as("deleted PRD %s", id).isEqualTo(m.deleted);
                    assertThat(rs.getLong(6)).as("version rows of PRD %s", id).isEqualTo(m.version);
                    assertThat(rs.getLong(7)).as("links of PRD %s", id).isEqualTo(m.linked ? 1 : 0);
                }
            }
        }
    }

    private static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.sql(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
