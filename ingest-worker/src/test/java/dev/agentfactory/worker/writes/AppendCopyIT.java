package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** Binary COPY data reaches PostgreSQL as sent: every row once, every value of every column type exact. */
@ExtendWith(LocalStackExtension.class)
class AppendCopyIT {

    private static final String DATABASE = "it_worker_append_copy";

    private static String migrated(StackEndpoints endpoints, LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
        stack.primary().createDatabase(DATABASE);
        String url = endpoints.primaryJdbcUrl(DATABASE);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        return url;
    }

    @Test
    void everyCopyDeclaresTheCatalogTypeOfEachOfItsColumns(StackEndpoints endpoints, LocalStack stack) throws Exception {
        // A wire type out of step with its column is not always refused: jsonb's version byte would be stored
        // as the first character of a text column.
        String url = migrated(endpoints, stack);
        Map<CopyBinary.Type, String> catalog = Map.of(CopyBinary.Type.UUID, "uuid", CopyBinary.Type.INT8, "bigint",
                CopyBinary.Type.TEXT, "text", CopyBinary.Type.JSONB, "jsonb",
                CopyBinary.Type.TIMESTAMPTZ, "timestamp with time zone");
        List<AppendCopy.Table> tables = List.of(AppendCopy.AGENT_VERSIONS, AppendCopy.PRD_VERSIONS, AppendCopy.HISTORY,
                AppendCopy.AUDIT, AppendCopy.PROCESSED, AppendCopy.AGENTS);
        Pattern copy = Pattern.compile("COPY (\\S+) \\(([^)]*)\\) FROM STDIN \\(FORMAT binary\\)");
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
             PreparedStatement types = c.prepareStatement("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                     + " WHERE attrelid = ?::regclass AND attname = ? AND NOT attisdropped")) {
            for (AppendCopy.Table table : tables) {
                Matcher m = copy.matcher(table.sql());
                assertThat(m.matches()).as(table.sql()).isTrue();
                List<String> columns = List.of(m.group(2).split(",\\s*"));
                assertThat(table.types()).as(table.sql()).hasSameSizeAs(columns);
                for (int i = 0; i < columns.size(); i++) {
                    types.setString(1, m.group(1));
                    types.setString(2, columns.get(i));
                    try (ResultSet rs = types.executeQuery()) {
                        assertThat(rs.next()).as(m.group(1) + "." + columns.get(i)).isTrue();
                        assertThat(rs.getString(1)).as(m.group(1) + "." + columns.get(i))
                                .isEqualTo(catalog.get(table.types()[i]));
                    }
                }
            }
        } finally {
            stack.primary().dropDatabase(DATABASE);
        }
    }

    @Test
    void everyColumnTypeReadsBackAsWritten(StackEndpoints endpoints, LocalStack stack) throws Exception {
        String url = migrated(endpoints, stack);
        UUID entity = new UUID(0x0123456789abcdefL, 0xfedcba9876543210L);
        UUID event = UUID.fromString("018f3a2b-0000-7000-8000-00000000beef");
        List<BatchState.AuditRow> rows = List.of(
                new BatchState.AuditRow("agent", entity, Long.MAX_VALUE, "agent.update", "actør \\N\ttab\nline",
                        event, Instant.parse("2026-11-27T10:00:00.123456789Z"), "{\"b\": [1.50, \"é\"], \"a\": null}"),
                new BatchState.AuditRow("prd", entity, null, "prd.delete", "", UUID.randomUUID(),
                        Instant.parse("1969-07-20T20:17:40Z"), null),
                new BatchState.AuditRow("prd", entity, 1L, "prd.update", "it", UUID.randomUUID(),
                        Instant.parse("0001-01-01T00:00:00Z"), "{}"),
                new BatchState.AuditRow("prd", entity, 1L, "prd.update", "it", UUID.randomUUID(),
                        Instant.parse("9999-12-31T23:59:59.999999Z"), "{}"));
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword())) {
            AppendCopy.audit(c, rows);
            try (ResultSet rs = c.createStatement().executeQuery("SELECT entity_type, entity_id, version, command_type,"
                    + " actor, event_id, occurred_at = '2026-11-27T10:00:00.123457Z', occurred_at, details::text,"
                    + " to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
                    + " FROM factory.audit_log ORDER BY id")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("agent");
                assertThat(rs.getObject(2)).isEqualTo(entity);
                assertThat(rs.getLong(3)).isEqualTo(Long.MAX_VALUE);
                assertThat(rs.getString(4)).isEqualTo("agent.update");
                assertThat(rs.getString(5)).isEqualTo("actør \\N\ttab\nline");
                assertThat(rs.getObject(6)).isEqualTo(event);
                assertThat(rs.getBoolean(7)).as("nanoseconds rounded to the nearest microsecond").isTrue();
                assertThat(rs.getString(9)).isEqualTo("{\"a\": null, \"b\": [1.50, \"é\"]}");
                rs.next();
                assertThat(rs.getObject(3)).isNull();
                assertThat(rs.getString(5)).isEmpty();
                assertThat(rs.getString(10)).isEqualTo("1969-07-20T20:17:40.000000");
                assertThat(rs.getString(9)).isNull();
                rs.next();
                assertThat(rs.getString(10)).as("the first instant sent").isEqualTo("0001-01-01T00:00:00.000000");
                rs.next();
                assertThat(rs.getString(10)).as("the last instant sent").isEqualTo("9999-12-31T23:59:59.999999");
                assertThat(rs.next()).isFalse();
            }
        } finally {
            stack.primary().dropDatabase(DATABASE);
        }
    }

    @Test
    void anInstantItsTextFormCannotCarryFailsTheCopyAsADataErrorAndLeavesTheConnectionUsable(StackEndpoints endpoints,
                                                                                          LocalStack stack)
            throws Exception {
        String url = migrated(endpoints, stack);
        List<BatchState.AuditRow> rows = List.of(new BatchState.AuditRow("agent", UUID.randomUUID(), 1L, "agent.update",
                "it", UUID.randomUUID(), Instant.parse("+10000-01-01T00:00:00Z"), null));
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword())) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> AppendCopy.audit(c, rows)).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(new BatchSqlException((SQLException) e).dataError()).isTrue());
            c.rollback();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM factory.audit_log")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        } finally {
            stack.primary().dropDatabase(DATABASE);
        }
    }

    @Test
    void rowsSpanningSeveralChunksArriveOnceAndExactly(StackEndpoints endpoints, LocalStack stack) throws Exception {
        String url = migrated(endpoints, stack);
        // 40 rows of about 100,000 characters: four chunks' worth, with tabs, line breaks and backslashes.
        String note = "tab\\there, line\\nbreak, back\\\\slash ".repeat(3_000);
        List<BatchState.AuditRow> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(new BatchState.AuditRow("agent", UUID.randomUUID(), 1L, "agent.update", "it", UUID.randomUUID(),
                    Instant.parse("2026-11-27T10:00:00Z"), "{\"i\": " + i + ", \"note\": \"" + note + "\"}"));
        }
        assertThat(rows.size() * note.length()).isGreaterThan(3 * AppendCopy.CHUNK_BYTES);
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
            stack.primary().dropDatabase(DATABASE);
        }
    }
}
