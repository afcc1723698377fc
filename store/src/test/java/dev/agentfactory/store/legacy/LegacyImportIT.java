package dev.agentfactory.store.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** {@code bin/db import} against PostgreSQL: bad records reported with a non-zero exit, a rerun writes nothing. */
@ExtendWith(LocalStackExtension.class)
class LegacyImportIT {

    private static final List<String> TABLES = List.of("agents", "agent_versions", "agent_history", "prds",
            "prd_versions", "prd_agents", "audit_log");

    @Test
    void importReportsBadRecordsAndASecondRunChangesNoRow(StackEndpoints endpoints, LocalStack stack,
                                                          @TempDir Path dir) throws Exception {
        String database = "it_store_legacy_import";
        stack.primary().dropDatabase(database);
        stack.primary().createDatabase(database);
        String url = endpoints.primaryJdbcUrl(database);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        Path file = dir.resolve("snapshot.json");
        try (var in = LegacyImporterTest.snapshot()) {
            Files.copy(in, file);
        }
        Map<String, String> env = Map.of("FACTORY_DB_URL", url, "FACTORY_DB_OWNER_USER", endpoints.superuser(),
                "FACTORY_DB_OWNER_PASSWORD", endpoints.superuserPassword());

        var first = run(env, file);
        assertThat(first.code()).isEqualTo(1);
        assertThat(first.out()).contains("written 6, unchanged 0, bad 4");
        assertThat(first.err()).contains("bad record agents/9d0a7c3e-5f21-4b8a-a1c4-2e6f8b0d1c77: missing slug");
        Map<String, String> afterFirst = tableDigests(url, endpoints);
        assertThat(afterFirst.get("agents")).startsWith("2 ");

        var second = run(env, file);
        assertThat(second.out()).contains("written 0, unchanged 6, bad 4");
        assertThat(tableDigests(url, endpoints)).isEqualTo(afterFirst);

        assertThat(run(env, dir.resolve("missing.json")).code()).isEqualTo(2);
        stack.primary().dropDatabase(database);
    }

    /** Row count and an md5 of every row's text per table: equal digests mean no row was added or changed. */
    private static Map<String, String> tableDigests(String url, StackEndpoints endpoints) throws Exception {
        Map<String, String> digests = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
             var st = c.createStatement()) {
            for (String table : TABLES) {
                var rs = st.executeQuery("SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '')"
                        + " FROM factory." + table + " t");
                rs.next();
                digests.put(table, rs.getString(1));
            }
        }
        return digests;
    }

    private static Result run(Map<String, String> env, Path file) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = ImportMain.run(List.of(file.toString()), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String out, String err) {
    }
}
