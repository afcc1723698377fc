package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.params.provider.Arguments;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The plan checks of the agent and PRD list tests: a list statement prepared with {@code $n} parameters and
 * explained under a plan cache mode, so a test sees both the custom and the generic plan.
 */
public final class ListPlans {

    private static final Pattern NAMED = Pattern.compile("(?<!:):([a-zA-Z]+)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ListPlans() {
    }

    /** The pages a plan test covers, each under both plan cache modes: (name, filter, after a cursor, mode). */
    public static Stream<Arguments> pages(ListFilter sinceAndText, ListFilter oldestFirst) {
        return Stream.of("force_custom_plan", "force_generic_plan").flatMap(mode -> Stream.of(
                Arguments.of("first page", ListFilter.NONE, false, mode),
                Arguments.of("page after a cursor", ListFilter.NONE, true, mode),
                Arguments.of("since and text", sinceAndText, false, mode),
                Arguments.of("since and text after a cursor", sinceAndText, true, mode),
                Arguments.of("oldest first after a cursor", oldestFirst, true, mode)));
    }

    /** Asserts a Merge Append of one scan of {@code index} per status, and no scan or sort of the table. */
    public static void assertOneIndexScanPerStatus(JsonNode plan, String table, String index, int statuses) {
        List<JsonNode> nodes = new ArrayList<>();
        collect(plan, nodes);
        assertThat(nodes).extracting(n -> n.path("Node Type").asString())
                .contains("Merge Append").doesNotContain("Seq Scan", "Sort", "Bitmap Heap Scan");
        List<JsonNode> scans = nodes.stream().filter(n -> table.equals(n.path("Relation Name").asString(null)))
                .toList();
        assertThat(scans).hasSize(statuses).allSatisfy(scan -> {
            assertThat(scan.path("Node Type").asString()).isIn("Index Scan", "Index Only Scan");
            assertThat(scan.path("Index Name").asString()).isEqualTo(index);
        });
    }

    /** The statement's bind values as SQL text, by parameter name, for EXECUTE. */
    public static Map<String, String> values(ListFilter filter, Cursor after) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("limit", "51");
        if (filter.updatedSince() != null) {
            values.put("since", filter.updatedSince().toString());
        }
        if (filter.text() != null) {
            values.put("text", filter.likePattern());
        }
        if (after != null) {
            values.put("at", after.at().toString());
            values.put("id", after.key());
        }
        return values;
    }

    /** EXPLAIN of the statement prepared with $n parameters, so the plan cache mode decides the plan kind. */
    public static JsonNode explain(DataSource dataSource, String sql, Map<String, String> values, String planMode)
            throws Exception {
        List<String> order = new ArrayList<>();
        Matcher named = NAMED.matcher(sql);
        String positional = named.replaceAll(m -> {
            int at = order.indexOf(m.group(1));
            if (at < 0) {
                order.add(m.group(1));
                at = order.size() - 1;
            }
            return "\\$" + (at + 1);
        });
        assertThat(order).containsExactlyInAnyOrderElementsOf(values.keySet());
        String arguments = String.join(", ", order.stream().map(p -> "'" + values.get(p).replace("'", "''") + "'")
                .toList());
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET plan_cache_mode = " + planMode);
            st.execute("PREPARE list_page AS " + positional);
            try (ResultSet rs = st.executeQuery("EXPLAIN (FORMAT JSON) EXECUTE list_page(" + arguments + ")")) {
                rs.next();
                return JSON.readTree(rs.getString(1)).get(0).get("Plan");
            } finally {
                st.execute("DEALLOCATE list_page");
                st.execute("RESET plan_cache_mode");
            }
        }
    }

    private static void collect(JsonNode plan, List<JsonNode> into) {
        into.add(plan);
        plan.path("Plans").forEach(child -> collect(child, into));
    }
}
