package dev.agentfactory.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.ops.replay.ReplayCommand;
import dev.agentfactory.stack.StackTopics;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * A backup whose audit offsets lie beyond the end of the audit topics (the topics were recreated, or the
 * environment names another cluster's topics): the changes now in the topics are after the backup, and a
 * replay that starts at the recorded offsets would skip them all, so replay must refuse instead of
 * reporting success with nothing applied.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayOffsetsBeyondTheLogIT {

    private final String suffix = OpsTestBed.suffix();
    private final String db = "it_ops_replay_beyond_" + suffix;
    private final String agents = "it.ops.replay-beyond." + suffix + ".agents";
    private final String prds = "it.ops.replay-beyond." + suffix + ".prds";
    private OpsTestBed bed;
    private Map<String, String> env;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new OpsTestBed(endpoints, stack);
        env = bed.env(agents, prds);
        url = bed.migratedDatabase(db);
        StackTopics.create(endpoints.kafkaBootstrap(), Map.of(agents, 1, prds, 1));
        // the recreated topic holds one change committed after the backup, at offset 0
        String id = "6f1c3a52-0000-4000-8000-000000000001";
        String event = """
                {"schema":"factory.audit.v1","op":"create","entity":"agent","id":"%1$s","version":1,"table":"agents",
                 "before":null,"after":{"id":"%1$s","slug":"a-beyond","name":"after the backup","kind":"planner",
                 "status":"active","config":{},"state":{},"metadata":{},"version":1,
                 "created_at":"2026-03-01T10:00:00Z","created_by":"it","updated_at":"2026-03-01T10:00:00Z",
                 "updated_by":"it","deleted_at":null},"actor":"it","eventId":"0195a000-0000-7000-8000-000000000001",
                 "txId":1,"lsn":1000,"commitTime":"2026-03-01T10:00:00Z"}""".formatted(id);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                endpoints.kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(agents, id, event)).get();
        }
    }

    @AfterAll
    void tearDown() {
        bed.dropDatabase(db);
    }

    @Test
    void replayRefusesABackupWhoseOffsetsAreBeyondTheEndOfTheAuditTopics(@TempDir Path backups) throws Exception {
        // taken before the topics were recreated: the old topics had reached offset 40 and 25
        Path backup = OpsTestBed.backupAt(backups, url, env, Instant.parse("2026-03-01T09:00:00Z"),
                Map.of(agents, Map.of(0, 40L), prds, Map.of(0, 25L)));

        int[] exit = new int[1];
        String err = OpsTestBed.stderrOf(() -> exit[0] = ReplayCommand.run(List.of("--target=" + url,
                "--backup=" + backup), env));

        assertThat(bed.query(url, "SELECT count(*) FROM factory.agents")).as("agents in the target").isEqualTo("0");
        assertThat(exit[0]).as("replay that could not apply the change after the backup").isEqualTo(1);
        assertThat(err).contains("but the backup recorded", "replay refuses rather than skip them");
    }
}
