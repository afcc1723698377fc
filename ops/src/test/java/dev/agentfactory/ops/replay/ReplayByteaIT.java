package dev.agentfactory.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.contracts.ExactJson;
import dev.agentfactory.ops.OpsTestBed;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.replica.RowApplier;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A bytea and a bytea[] column added by a (future) migration: an audit event written the way the relay writes
 * it (its mapper over Debezium's bytes) and read the way replay reads it is applied byte for byte. Own scratch
 * database on the shared stack.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayByteaIT {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final String db = "it_ops_bytea_" + OpsTestBed.suffix();
    private OpsTestBed bed;
    private String url;

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) throws Exception {
        bed = new OpsTestBed(endpoints, stack);
        url = bed.migratedDatabase(db);
        bed.execute(url, "ALTER TABLE factory.agents ADD COLUMN blob bytea, ADD COLUMN blobs bytea[]");
    }

    @AfterAll
    void tearDown() {
        bed.dropDatabase(db);
    }

    @Test
    void byteaValuesOfAnAuditEventAreStoredByteForByte() throws Exception {
        byte[] blob = new byte[256];
        for (int i = 0; i < blob.length; i++) {
            blob[i] = (byte) (255 - i);
        }
        byte[] element = {'\\', 'x', '"', ',', '{', 0};
        UUID id = UUID.randomUUID();
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", id.toString());
        after.put("slug", "bytes-" + id.toString().substring(0, 8));
        after.put("name", "Bytes");
        after.put("kind", "coder");
        after.put("status", "active");
        after.put("config", Map.of());
        after.put("state", Map.of());
        after.put("metadata", Map.of());
        after.put("version", 1);
        after.put("created_at", "2026-03-01T10:00:00Z");
        after.put("created_by", "it");
        after.put("updated_at", "2026-03-01T10:00:00Z");
        after.put("updated_by", "it");
        after.put("deleted_at", null);
        after.put("blob", ByteBuffer.wrap(blob));
        after.put("blobs", java.util.Arrays.asList(ByteBuffer.wrap(element), null));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("schema", "factory.audit.v1");
        event.put("op", "create");
        event.put("entity", "agent");
        event.put("id", id.toString());
        event.put("version", 1);
        event.put("table", "agents");
        event.put("before", null);
        event.put("after", after);
        event.put("actor", "it");
        event.put("eventId", UUID.randomUUID().toString());
        event.put("commitTime", "2026-03-01T10:00:00Z");
        // as the relay's AuditSink writes it, and as AuditReplay reads it
        String onTheTopic = ExactJson.mapper().writeValueAsString(event);
        JsonMapper json = JsonMapper.builder().build();
        Map<String, Object> read = json.readValue(onTheTopic, MAP);

        try (Connection c = connect()) {
            c.setAutoCommit(false);
            AuditEventApplier applier = new AuditEventApplier(c, new RowApplier(c, json));
            applier.begin();
            applier.apply(read);
            applier.flush();
            c.commit();
        }

        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT blob, blobs[1], blobs[2] IS NULL, snapshot->>'blob' "
                     + "FROM factory.agents a JOIN factory.agent_versions v ON v.agent_id = a.id WHERE a.id = '"
                     + id + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBytes(1)).isEqualTo(blob);
            assertThat(rs.getBytes(2)).isEqualTo(element);
            assertThat(rs.getBoolean(3)).isTrue();
            assertThat(rs.getString(4)).as("the version snapshot keeps the event's JSON form")
                    .isEqualTo(((Map<?, ?>) read.get("after")).get("blob"));
        }
    }

    private Connection connect() throws Exception {
        return bed.connect(url);
    }
}
