package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A comparable description of everything a schema defines: tables with their owner, row-level security,
 * replica identity and storage options, publication membership with each table's column list and row filter and
 * the publication's options, columns with type, collation, nullability, default, identity and column
 * privileges, constraints, indexes (and whether they are valid), policies, triggers (those that enforce a
 * constraint too, and whether each fires), rules, functions with their
 * owner (a SECURITY DEFINER function runs as it), sequences with their options, table privileges and the default
 * privileges set in the schema (what objects created there later are granted). Two databases
 * migrated to the same version have equal fingerprints; a hand-dropped column or index shows up as a difference line.
 */
public record CatalogFingerprint(SortedSet<String> lines) {

    /**
     * Tables, views and sequences. An UNLOGGED table (persistence=u) is shown as such: a server crash empties it (the
     * relay's offsets, say), and logical decoding skips its changes (PostgreSQL refuses it only for a table already
     * in a publication). Storage options (fillfactor, autovacuum_*, a view's security_invoker) come
     * sorted, as PostgreSQL keeps them in the order they were set; a TOAST table's as {@code toast.<option>}, the
     * name {@code ALTER TABLE … SET} takes.
     */
    private static final String TABLES = """
            SELECT 'table ' || c.relname || ' kind=' || c.relkind::text
                   || CASE c.relpersistence WHEN 'p' THEN '' ELSE ' persistence=' || c.relpersistence::text END
                   || ' rls=' || c.relrowsecurity
                   || ' force_rls=' || c.relforcerowsecurity || ' replica_identity=' || c.relreplident::text
                   || ' acl=' || coalesce(c.relacl::text, '-') || ' owner=' || pg_get_userbyid(c.relowner)
                   || ' options=' || coalesce((SELECT string_agg(o, ',' ORDER BY o) FROM (
                          SELECT unnest(c.reloptions) UNION ALL SELECT 'toast.' || unnest(t.reloptions)) AS opts(o)), '-')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            """;

    /**
     * Columns. format_type does not show a collation, so one other than the type's own is spelled out, schema
     * qualified (the connection's search_path does not change it): {@code COLLATE "C"} on a unique column changes
     * which values count as equal and how they sort.
     */
    private static final String COLUMNS = """
            SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || CASE WHEN a.attcollation <> ty.typcollation
                           THEN ' collate ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname) ELSE '' END
                   || CASE WHEN a.attnotnull THEN ' not null' ELSE ' null' END
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                   || CASE a.attidentity WHEN 'a' THEN ' identity always' WHEN 'd' THEN ' identity by default' ELSE '' END
                   || CASE a.attgenerated WHEN 's' THEN ' generated stored' ELSE '' END
                   || coalesce(' acl=' || a.attacl::text, '')
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type ty ON ty.oid = a.atttypid
            LEFT JOIN pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
            """;

    /** Sequences (the identity columns' among them): their options, not their current value, which is data. */
    private static final String SEQUENCES = """
            SELECT 'sequence ' || c.relname || ' ' || format_type(s.seqtypid, NULL) || ' start=' || s.seqstart
                   || ' increment=' || s.seqincrement || ' min=' || s.seqmin || ' max=' || s.seqmax
                   || ' cache=' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE ' no cycle' END
            FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ?
            """;

    /**
     * Each table of the schema in each publication that carries it, with what reaches the subscriber. A column
     * list or row filter lives on the table's membership (pg_publication_rel); pg_publication_tables.attnames names
     * every column when there is no list, so it cannot tell "all, including columns added later" from a list that
     * happens to name them all: prattrs (NULL for no list) can. A table a publication carries by schema or FOR ALL
     * TABLES has no membership row and so no list or filter.
     */
    private static final String PUBLICATION_TABLES = """
            SELECT 'publication ' || p.pubname || ' table ' || pt.tablename
                   || ' columns=' || CASE WHEN r.prattrs IS NULL THEN 'all' ELSE array_to_string(pt.attnames, ',') END
                   || ' row_filter=' || coalesce(pt.rowfilter, '-')
                   || ' publish=' || coalesce(nullif(concat_ws(',', CASE WHEN p.pubinsert THEN 'insert' END,
                          CASE WHEN p.pubupdate THEN 'update' END, CASE WHEN p.pubdelete THEN 'delete' END,
                          CASE WHEN p.pubtruncate THEN 'truncate' END), ''), '-')
                   || ' publish_via_partition_root=' || p.pubviaroot
            FROM pg_publication_tables pt JOIN pg_publication p ON p.pubname = pt.pubname
            JOIN pg_namespace n ON n.nspname = pt.schemaname
            JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
            LEFT JOIN pg_publication_rel r ON r.prpubid = p.oid AND r.prrelid = c.oid
            WHERE pt.schemaname = ?
            """;

    /**
     * The triggers PostgreSQL creates to enforce a constraint (a foreign key's checks on both tables, a deferrable
     * unique constraint's recheck), with whether they fire. {@code ALTER TABLE … DISABLE TRIGGER ALL} (which
     * {@code pg_restore --disable-triggers} emits, and an interrupted restore leaves behind) turns a foreign key off
     * while its constraint still reads as defined. Their names carry OIDs (RI_ConstraintTrigger_a_119789), so
     * each is named by its table, its constraint (and that constraint's table, schema-qualified when in another
     * schema) and its function, which together tell the checks of one constraint apart.
     */
    private static final String INTERNAL_TRIGGERS = """
            SELECT 'trigger internal on ' || c.relname || ' for constraint '
                   || coalesce(CASE WHEN kn.oid = n.oid THEN '' ELSE kn.nspname || '.' END || kc.relname || '.'
                               || k.conname, '-')
                   || ' ' || p.proname || ' enabled=' || t.tgenabled::text
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_proc p ON p.oid = t.tgfoid
            LEFT JOIN pg_constraint k ON k.oid = t.tgconstraint
            LEFT JOIN pg_class kc ON kc.oid = k.conrelid LEFT JOIN pg_namespace kn ON kn.oid = kc.relnamespace
            WHERE n.nspname = ? AND t.tgisinternal
            """;

    /**
     * Rewrite rules ({@code CREATE RULE}): a rule {@code DO INSTEAD NOTHING} on a table silently drops its writes.
     * A view's {@code _RETURN} rule is its definition, not a rule anyone adds, so it is left out. pg_get_ruledef
     * breaks a rule over lines; a fingerprint line is one line.
     */
    private static final String RULES = """
            SELECT 'rule ' || c.relname || '.' || r.rulename || ' '
                   || regexp_replace(pg_get_ruledef(r.oid), '\\s*\\n\\s*', ' ', 'g')
                   || ' enabled=' || r.ev_enabled::text
            FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND NOT (r.rulename = '_RETURN' AND c.relkind IN ('v', 'm'))
            """;

    /**
     * Default privileges set in the schema ({@code ALTER DEFAULT PRIVILEGES [FOR ROLE r] IN SCHEMA factory GRANT …}):
     * what every table, sequence, function or type the role creates there from then on is granted, so a next
     * migration's table would be born readable by, say, Supabase's {@code anon}. The migrations set none, so any
     * such line is drift. A role's global default privileges (no {@code IN SCHEMA}) are left out: they are that
     * role's setting for the whole database, set by platforms and starter kits for their own reasons and absent
     * from the scratch database a validate migrates; what they grant on factory's objects shows in those objects'
     * ACLs (a new table's at the first migrate that creates one, as a difference from the scratch database).
     */
    private static final String DEFAULT_PRIVILEGES = """
            SELECT 'default privileges in schema ' || n.nspname || ' for role ' || pg_get_userbyid(d.defaclrole)
                   || ' on new ' || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
                          WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas'
                          ELSE d.defaclobjtype::text END
                   || ' acl=' || d.defaclacl::text
            FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace
            WHERE n.nspname = ?
            """;

    private static final List<String> QUERIES = List.of(
            TABLES,
            COLUMNS,
            SEQUENCES,
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
            INTERNAL_TRIGGERS,
            RULES,
            """
            SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') md5='
                   || md5(pg_get_functiondef(p.oid)) || ' acl=' || coalesce(p.proacl::text, '-')
                   || ' owner=' || pg_get_userbyid(p.proowner)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = ? AND p.prokind IN ('f', 'p')
            """,
            PUBLICATION_TABLES,
            """
            SELECT 'schema ' || n.nspname || ' acl=' || coalesce(n.nspacl::text, '-')
                   || ' owner=' || pg_get_userbyid(n.nspowner)
            FROM pg_namespace n WHERE n.nspname = ?
            """,
            DEFAULT_PRIVILEGES);

    /** The fingerprint of {@code schema} as the connection's database holds it (empty when it does not exist). */
    public static CatalogFingerprint of(Connection connection, String schema) throws SQLException {
        SortedSet<String> lines = new TreeSet<>();
        for (String sql : QUERIES) {
            lines.addAll(SchemaRows.of(connection, sql, schema));
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
