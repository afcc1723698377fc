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
        Target t = target("it_store_legacy_import", "/legacy/snapshot.json", dir, endpoints, stack);

        var first = run(t.env(), t.file());
        assertThat(first.code()).isEqualTo(1);
        assertThat(first.out()).contains("written 6, unchanged 0, bad 4");
        assertThat(first.err()).contains("bad record agents/9d0a7c3e-5f21-4b8a-a1c4-2e6f8b0d1c77: missing slug");
        Map<String, String> afterFirst = tableDigests(t.url(), endpoints);
        assertThat(afterFirst.get("agents")).startsWith("2 ");

        var second = run(t.env(), t.file());
        assertThat(second.out()).contains("written 0, unchanged 6, bad 4");
        assertThat(tableDigests(t.url(), endpoints)).isEqualTo(afterFirst);

        assertThat(run(t.env(), dir.resolve("missing.json")).code()).isEqualTo(2);
        stack.primary().dropDatabase(t.database());
    }

    /**
     * Records the database refuses though they pass the importer's parsing (an entry jsonb cannot hold, a role
     * too short, too long or with a character text cannot hold), in the middle of a snapshot: each is reported
     * with its key, the records after it still import, and the run neither stops nor writes half of one.
     */
    @Test
    void aRecordTheDatabaseRefusesIsReportedAndTheRestImported(StackEndpoints endpoints, LocalStack stack,
                                                                @TempDir Path dir) throws Exception {
        Target t = target("it_store_legacy_import_refused", "/legacy/constraint-violations.json", dir, endpoints, stack);

        var first = run(t.env(), t.file());
        assertThat(first.code()).isEqualTo(1);
        // 5 agents, history entries 0 and 2, 2 PRDs, the links to agents 1 and 5 and the second PRD's link
        assertThat(first.out()).contains("written 12, unchanged 0, bad 4");
        String prd = "bad record prds/b1000000-0000-4000-8000-000000000001/agents/a1000000-0000-4000-8000-00000000000";
        assertThat(first.err().lines()).hasSize(4).anySatisfy(l -> assertThat(l)
                        .startsWith("bad record agents/a1000000-0000-4000-8000-000000000001/history/1: ")
                        .containsIgnoringCase("unicode"))
                .contains(prd + "2: role must be 1-100 characters", prd + "3: role must be 1-100 characters")
                .anySatisfy(l -> assertThat(l).startsWith(prd + "4: ").contains("0x00"));
        Map<String, String> digests = tableDigests(t.url(), endpoints);
        assertThat(digests).extractingByKeys("agents", "agent_history", "prds", "prd_agents", "audit_log")
                .map(d -> d.substring(0, d.indexOf(' '))).containsExactly("5", "2", "2", "3", "12");

        var second = run(t.env(), t.file());
        assertThat(second.out()).contains("written 0, unchanged 12, bad 4");
        assertThat(tableDigests(t.url(), endpoints)).isEqualTo(digests);
        stack.primary().dropDatabase(t.database());
    }

    /** A fresh, migrated database, the environment {@code db import} runs with against it, a snapshot to import. */
    private static Target target(String database, String snapshot, Path dir, StackEndpoints endpoints,
                                 LocalStack stack) throws Exception {
        stack.primary().dropDatabase(database);
        stack.primary().createDatabase(database);
        String url = endpoints.primaryJdbcUrl(database);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        Path file = dir.resolve("snapshot.json");
        try (var in = LegacyImportIT.class.getResourceAsStream(snapshot)) {
            Files.copy(in, file);
        }
        return new Target(database, url, Map.of("FACTORY_DB_URL", url, "FACTORY_DB_OWNER_USER", endpoints.superuser(),
                "FACTORY_DB_OWNER_PASSWORD", endpoints.superuserPassword()), file);
    }

    private record Target(String database, String url, Map<String, String> env, Path file) {
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
