package dev.agentfactory.ops.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.ops.PurgeScenario;
import dev.agentfactory.ops.audit.AuditTopics;
import dev.agentfactory.ops.cli.OpsSettings;
import dev.agentfactory.ops.replay.AuditReplay;
import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * An operator's purge inside the replay window ({@link PurgeScenario}), as a restore's replay and a failover with
 * the primary lost meet it (here, beside the failover's package-private loss check). Replay runs as the tables'
 * owner without superuser rights, so the foreign keys and V4_3's checks (a referenced agent or PRD cannot be
 * deleted) run.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurgeInReplayWindowIT {

    private PurgeScenario scenario;
    private List<String> replay;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        scenario = new PurgeScenario(endpoints, stack, "purge_window");
        replay = List.of("--target=" + scenario.url, "--from-beginning");
    }

    @AfterAll
    void tearDown() throws Exception {
        scenario.drop();
    }

    @Test
    void replayDeletesWhatAPurgeDeletedTheUnpublishedVersionRowsIncludedAndKeepsTheRest() throws Exception {
        // the restored backup, taken before the purges
        assertThat(ReplayCommand.run(List.of(replay.get(0), replay.get(1), "--until=" + PurgeScenario.LINKED),
                scenario.ownerEnv())).isZero();
        assertThat(scenario.query("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + scenario.purged
                + "'")).isEqualTo("2");
        assertThat(scenario.query("SELECT count(*) FROM factory.prd_agents")).isEqualTo("1");
        // the backup's audit rows: the purge erased the purged agent's, which hold its commands' payloads
        try (Connection c = scenario.connect(); Statement st = c.createStatement()) {
            for (UUID agent : List.of(scenario.purged, scenario.kept)) {
                st.execute("INSERT INTO factory.audit_log (entity_type, entity_id, version, command_type, actor, "
                        + "event_id, occurred_at, details) VALUES ('agent', '" + agent + "', 1, 'agent.create', 'it', "
                        + "gen_random_uuid(), now(), '{\"name\": \"payload\"}')");
            }
        }

        assertThat(ReplayCommand.run(replay, scenario.ownerEnv())).as("replay past the purges").isZero();
        assertThat(scenario.query("SELECT string_agg(entity_id::text, ',') FROM factory.audit_log"))
                .isEqualTo(scenario.kept.toString());
        String state = state();
        assertThat(state).isEqualTo("agents " + scenario.kept + " | agent_versions " + scenario.kept
                + ":1 | agent_history 8 | prds  | prd_versions  | prd_agents ");

        assertThat(ReplayCommand.run(replay, scenario.ownerEnv())).as("once more").isZero();
        assertThat(state()).isEqualTo(state);
    }

    @Test
    void whatAPurgeDeletedIsNotCountedAsAWriteTheStandbyLacks() throws Exception {
        assertThat(ReplayCommand.run(replay, scenario.ownerEnv())).isZero();
        OpsSettings s = OpsSettings.fromEnvironment(scenario.ownerEnv());

        try (Connection c = scenario.connect()) {
            assertThat(AuditCoverage.missing(new AuditTopics(s.kafka(), s.topics().audit()), c,
                    AuditReplay.fromBeginning())).isZero();
        }
    }

    private String state() throws Exception {
        return "agents " + rows("SELECT string_agg(id::text, ',') FROM factory.agents")
                + " | agent_versions " + rows("SELECT string_agg(agent_id || ':' || version, ',') FROM factory.agent_versions")
                + " | agent_history " + rows("SELECT string_agg(seq::text, ',') FROM factory.agent_history")
                + " | prds " + rows("SELECT string_agg(id::text, ',') FROM factory.prds")
                + " | prd_versions " + rows("SELECT string_agg(prd_id || ':' || version, ',') FROM factory.prd_versions")
                + " | prd_agents " + rows("SELECT string_agg(agent_id::text, ',') FROM factory.prd_agents");
    }

    /** The rows a string_agg query lists, "" for none. */
    private String rows(String sql) throws Exception {
        String s = scenario.query(sql);
        return s == null ? "" : s;
    }
}
