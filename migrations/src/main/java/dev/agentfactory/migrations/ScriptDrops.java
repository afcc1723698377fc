package dev.agentfactory.migrations;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables and schemas a rollback script drops, read from its {@code DROP TABLE} and {@code DROP SCHEMA}
 * statements (line comments left out), so that the checks before a rollback ({@link DroppedData},
 * {@link OutsideDependents}) cover a new script with no list here to keep up to date.
 */
final class ScriptDrops {

    private static final Pattern LINE_COMMENT = Pattern.compile("--[^\n]*");
    private static final Pattern DROP_TABLE = Pattern.compile(
            "(?i)\\bDROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?([\\w.]+(?:\\s*,\\s*[\\w.]+)*)");
    private static final Pattern DROP_SCHEMA = Pattern.compile("(?i)\\bDROP\\s+SCHEMA\\s+(?:IF\\s+EXISTS\\s+)?(\\w+)");

    private ScriptDrops() {
    }

    /** The tables {@code sql} drops by name, lower case as written (schema-qualified in our scripts). */
    static List<String> tables(String sql) {
        List<String> tables = new ArrayList<>();
        Matcher table = DROP_TABLE.matcher(statements(sql));
        while (table.find()) {
            for (String name : table.group(1).split("\\s*,\\s*")) {
                tables.add(name.toLowerCase(Locale.ROOT));
            }
        }
        return tables;
    }

    /** The schemas {@code sql} drops, lower case. */
    static List<String> schemas(String sql) {
        List<String> schemas = new ArrayList<>();
        Matcher schema = DROP_SCHEMA.matcher(statements(sql));
        while (schema.find()) {
            schemas.add(schema.group(1).toLowerCase(Locale.ROOT));
        }
        return schemas;
    }

    private static String statements(String sql) {
        return LINE_COMMENT.matcher(sql).replaceAll("");
    }
}
