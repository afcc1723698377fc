package dev.agentfactory.migrations;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The objects outside a schema that depend on objects inside it: what U1's {@code DROP SCHEMA factory CASCADE} would
 * drop beyond the schema, unasked (on Supabase, a user's view in {@code public} over {@code factory.agents}, a
 * function whose signature takes a factory row type, a foreign key, policy, trigger or column default of another
 * schema's table, an extension installed in {@code factory}). {@code db rollback} refuses while there is any.
 */
final class OutsideDependents {

    /**
     * Every object that belongs to the schema: those in it (by their namespace column) and those of its relations
     * that have no namespace of their own (triggers, policies, rules, column defaults, publication memberships),
     * plus its default privileges and its by-schema publication memberships, which go with it. An object of a
     * catalog not listed here counts as outside, so an unforeseen one is named rather than dropped.
     */
    private static final String IN_SCHEMA = """
            target AS (SELECT oid FROM pg_namespace WHERE nspname = ?),
            rels AS (SELECT c.oid FROM pg_class c JOIN target t ON c.relnamespace = t.oid),
            inside(classid, objid) AS (
                SELECT 'pg_namespace'::regclass::oid, oid FROM target
                UNION ALL SELECT 'pg_class'::regclass, oid FROM rels
                UNION ALL SELECT 'pg_type'::regclass, o.oid FROM pg_type o JOIN target t ON o.typnamespace = t.oid
                UNION ALL SELECT 'pg_proc'::regclass, o.oid FROM pg_proc o JOIN target t ON o.pronamespace = t.oid
                UNION ALL SELECT 'pg_constraint'::regclass, o.oid FROM pg_constraint o JOIN target t ON o.connamespace = t.oid
                UNION ALL SELECT 'pg_operator'::regclass, o.oid FROM pg_operator o JOIN target t ON o.oprnamespace = t.oid
                UNION ALL SELECT 'pg_opclass'::regclass, o.oid FROM pg_opclass o JOIN target t ON o.opcnamespace = t.oid
                UNION ALL SELECT 'pg_opfamily'::regclass, o.oid FROM pg_opfamily o JOIN target t ON o.opfnamespace = t.oid
                UNION ALL SELECT 'pg_amop'::regclass, o.oid FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily
                    JOIN target t ON f.opfnamespace = t.oid
                UNION ALL SELECT 'pg_amproc'::regclass, o.oid FROM pg_amproc o JOIN pg_opfamily f ON f.oid = o.amprocfamily
                    JOIN target t ON f.opfnamespace = t.oid
                UNION ALL SELECT 'pg_collation'::regclass, o.oid FROM pg_collation o JOIN target t ON o.collnamespace = t.oid
                UNION ALL SELECT 'pg_conversion'::regclass, o.oid FROM pg_conversion o JOIN target t ON o.connamespace = t.oid
                UNION ALL SELECT 'pg_statistic_ext'::regclass, o.oid FROM pg_statistic_ext o
                    JOIN target t ON o.stxnamespace = t.oid
                UNION ALL SELECT 'pg_ts_config'::regclass, o.oid FROM pg_ts_config o JOIN target t ON o.cfgnamespace = t.oid
                UNION ALL SELECT 'pg_ts_dict'::regclass, o.oid FROM pg_ts_dict o JOIN target t ON o.dictnamespace = t.oid
                UNION ALL SELECT 'pg_ts_parser'::regclass, o.oid FROM pg_ts_parser o JOIN target t ON o.prsnamespace = t.oid
                UNION ALL SELECT 'pg_ts_template'::regclass, o.oid FROM pg_ts_template o
                    JOIN target t ON o.tmplnamespace = t.oid
                UNION ALL SELECT 'pg_default_acl'::regclass, o.oid FROM pg_default_acl o
                    JOIN target t ON o.defaclnamespace = t.oid
                UNION ALL SELECT 'pg_publication_namespace'::regclass, o.oid FROM pg_publication_namespace o
                    JOIN target t ON o.pnnspid = t.oid
                UNION ALL SELECT 'pg_trigger'::regclass, o.oid FROM pg_trigger o JOIN rels r ON o.tgrelid = r.oid
                UNION ALL SELECT 'pg_policy'::regclass, o.oid FROM pg_policy o JOIN rels r ON o.polrelid = r.oid
                UNION ALL SELECT 'pg_rewrite'::regclass, o.oid FROM pg_rewrite o JOIN rels r ON o.ev_class = r.oid
                UNION ALL SELECT 'pg_attrdef'::regclass, o.oid FROM pg_attrdef o JOIN rels r ON o.adrelid = r.oid
                UNION ALL SELECT 'pg_publication_rel'::regclass, o.oid FROM pg_publication_rel o
                    JOIN rels r ON o.prrelid = r.oid)
            """;

    /**
     * The pg_depend rows from an object outside the schema to one inside, named by kind and schema-qualified
     * identity (pg_identify_object) with what they depend on. A view depends through its {@code _RETURN} rule, which
     * is named as the view. Internal dependencies ({@code deptype 'i'}) are PostgreSQL's own parts of the object they
     * point to (a table's TOAST table, in {@code pg_toast}), not dependents; every other kind goes with a
     * {@code DROP … CASCADE}: normal ones (a view, a foreign key, a policy), automatic ones (an extended statistics
     * object in another schema) and an extension installed in the schema (which depends on the schema itself).
     */
    private static final String DEPENDENTS = "WITH " + IN_SCHEMA + """
            , dependents AS (
                SELECT CASE WHEN v.oid IS NULL THEN d.classid ELSE 'pg_class'::regclass END AS classid,
                       coalesce(v.oid, d.objid) AS objid,
                       CASE WHEN v.oid IS NULL THEN d.objsubid ELSE 0 END AS objsubid, d.refclassid, d.refobjid
                FROM pg_depend d
                JOIN inside r ON r.classid = d.refclassid AND r.objid = d.refobjid
                LEFT JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
                    AND rw.rulename = '_RETURN'
                LEFT JOIN pg_class v ON v.oid = rw.ev_class AND v.relkind IN ('v', 'm')
                WHERE d.deptype <> 'i'
                  AND NOT EXISTS (SELECT 1 FROM inside o WHERE o.classid = d.classid AND o.objid = d.objid))
            SELECT o.type || ' ' || o.identity || ' (on '
                   || string_agg(DISTINCT ro.type || ' ' || ro.identity, ', ') || ')' AS dependent
            FROM dependents x
            CROSS JOIN LATERAL pg_identify_object(x.classid, x.objid, x.objsubid) o
            CROSS JOIN LATERAL pg_identify_object(x.refclassid, x.refobjid, 0) ro
            GROUP BY o.type, o.identity ORDER BY dependent
            """;

    private OutsideDependents() {
    }

    /** One line per object outside {@code schema} that depends on it: {@code view public.v (on table factory.agents)}. */
    static List<String> of(Connection c, String schema) throws SQLException {
        return SchemaRows.of(c, DEPENDENTS, schema);
    }

    /**
     * Locks every table of {@code schema} as its {@code DROP SCHEMA} will, so that from here to the end of the
     * transaction nobody can build on one (a view, a foreign key, a policy all need a lock on the table they read);
     * one built until now has committed when the lock is granted, and a check after it sees it. {@code c} must be in
     * the transaction that drops the schema.
     */
    static void lockTables(Connection c, String schema) throws SQLException {
        if (c.getAutoCommit()) {
            throw new IllegalStateException("the tables must be locked in the transaction that drops them");
        }
        try (Statement st = c.createStatement()) {
            for (String table : DroppedData.tablesOf(c, schema)) {
                st.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
            }
        }
    }
}
