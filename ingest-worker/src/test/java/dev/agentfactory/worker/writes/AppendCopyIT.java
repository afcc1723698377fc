package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** COPY text larger than one chunk reaches PostgreSQL whole: every row once, every escaped byte intact. */
@ExtendWith(LocalStackExtension.class)
class AppendCopyIT {

    @Test
    void rowsSpanningSeveralChunksArriveOnceAndExactly(StackEndpoints endpoints, LocalStack stack) throws Exception {
        String database = "it_worker_append_copy";
        stack.primary().dropDatabase(database);
        stack.primary().createDatabase(database);
        String url = endpoints.primaryJdbcUrl(database);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        // 40 rows of about 100,000 characters: four chunks' worth, with characters COPY must escape.
        String note = "tab\\there, line\\nbreak, back\\\\slash ".repeat(3_000);
        List<BatchState.AuditRow> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(new BatchState.AuditRow("agent", UUID.randomUUID(), 1L, "agent.update", "it", UUID.randomUUID(),
                    Instant.parse("2026-11-27T10:00:00Z"), "{\"i\": " + i + ", \"note\": \"" + note + "\"}"));
        }
        assertThat(rows.size() * note.length()).isGreaterThan(3 * AppendCopy.CHUNK_CHARS);
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword())) {
            AppendCopy.audit(c, rows);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*), count(DISTINCT details->>'i'), "
                    + "bool_and(details->>'note' = 'tab\there, line\nbreak, back\\slash ' || repeat("
                    + "'tab\there, line\nbreak, back\\slash ', 2999)) FROM factory.audit_log")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(40);
                assertThat(rs.getLong(2)).isEqualTo(40);
                assertThat(rs.getBoolean(3)).isTrue();
            }
        } finally {
            stack.primary().dropDatabase(database);
        }
    }
}
