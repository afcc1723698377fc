package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A comparable description of everything a schema defines: tables with their owner, row-level security and
 * replica identity, publication membership, columns with type, nullability, default, identity and column
 * privileges, constraints, indexes (and whether they are valid), policies, triggers, functions with their
 * owner (a SECURITY DEFINER function runs as it), sequences and table privileges. Two databases migrated to the same version have equal
 * fingerprints; a hand-dropped column or index shows up as a difference line.
 */
public record CatalogFingerprint(SortedSet<String> lines) {

    private static final List<String> QUERIES = List.of(
            """
            SELECT 'table ' || c.relname || ' kind=' || c.relkind::text || ' rls=' || c.relrowsecurity
                   || ' force_rls=' || c.relforcerowsecurity || ' replica_identity=' || c.relreplident::text
                   || ' acl=' || coalesce(c.relacl::text, '-') || ' owner=' || pg_get_userbyid(c.relowner)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            """,
            """
            SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                   || CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity by default' ELSE '' END
                   || CASE a.attgenerated WHEN 's' THEN ' generated stored' ELSE '' END
                   || coalesce(' acl=' || a.attacl::text, '')
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
            """,
            """
            SELECT 'constraint ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid, true)
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ?
            """,
            """
            SELECT 'index ' || pg_get_indexdef(i.indexrelid)
                   || CASE WHEN i.indisvalid AND i.indisready THEN '' ELSE ' invalid' END
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ?
            """,
            """
            SELECT 'policy ' || p.tablename || '.' || p.policyname || ' ' || p.permissive::text || ' ' || p.cmd::text
                   || ' to ' || array_to_string(p.roles, ',') || ' using ' || coalesce(p.qual, '-')
                   || ' check ' || coalesce(p.with_check, '-')
            FROM pg_policies p WHERE p.schemaname = ?
            """,
            """
            SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND NOT t.tgisinternal
            """,
            """
            SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') md5='
                   || md5(pg_get_functiondef(p.oid)) || ' acl=' || coalesce(p.proacl::text, '-')
                   || ' owner=' || pg_get_userbyid(p.proowner)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = ? AND p.prokind IN ('f', 'p')
            """,
            """
            SELECT 'publication ' || p.pubname || ' table ' || pt.tablename || ' ops=' || p.pubinsert || p.pubupdate
                   || p.pubdelete || p.pubtruncate
            FROM pg_publication_tables pt JOIN pg_publication p ON p.pubname = pt.pubname
            WHERE pt.schemaname = ?
            """,
            """
            SELECT 'schema ' || n.nspname || ' acl=' || coalesce(n.nspacl::text, '-')
                   || ' owner=' || pg_get_userbyid(n.nspowner)
            FROM pg_namespace n WHERE n.nspname = ?
            """);

    /** The fingerprint of {@code schema} as the connection's database holds it (empty when it does not exist). */
    public static CatalogFingerprint of(Connection connection, String schema) throws SQLException {
        SortedSet<String> lines = new TreeSet<>();
        for (String sql : QUERIES) {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lines.add(rs.getString(1));
                    }
                }
            }
        }
        return new CatalogFingerprint(lines);
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }

    /** What {@code actual} lacks ("- ") and adds ("+ ") compared with this expected fingerprint; empty when equal. */
    public List<String> differences(CatalogFingerprint actual) {
        List<String> out = new ArrayList<>();
        lines.stream().filter(l -> !actual.lines.contains(l)).forEach(l -> out.add("- missing:    " + l));
        actual.lines.stream().filter(l -> !lines.contains(l)).forEach(l -> out.add("+ unexpected: " + l));
        return out;
    }
}
