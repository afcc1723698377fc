package dev.agentfactory.ops;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * A migrated database of the shared primary whose factory tables (and so their identity sequences) and functions
 * (the PRD status check a PRD update calls) a login role of the test's own owns, without superuser rights: what the
 * schema owner is on Supabase or Cloud SQL. Ops run as it get no replica mode, so foreign keys, the reference checks
 * and the PRD status rule run. {@link #close} drops the database, then the role; a creation that fails half-way
 * drops what it made before it throws, so a role is never left behind on the shared cluster.
 */
public final class OwnerDatabase implements AutoCloseable {

    private final OpsTestBed bed;
    private final String database;
    private final String role;
    private final String url;

    private OwnerDatabase(OpsTestBed bed, String database, String role, String url) {
        this.bed = bed;
        this.database = database;
        this.role = role;
        this.url = url;
    }

    /** {@link OpsTestBed#ownerDatabase}: migrated by the superuser, then its objects handed to {@code role}. */
    static OwnerDatabase create(OpsTestBed bed, String database, String role) throws SQLException {
        try {
            String url = bed.migratedDatabase(database);
            createTableOwner(bed, url, role);
            return new OwnerDatabase(bed, database, role, url);
        } catch (SQLException | RuntimeException e) {
            try {
                drop(bed, database, role);
            } catch (SQLException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static void createTableOwner(OpsTestBed bed, String url, String role) throws SQLException {
        bed.execute(url, "CREATE ROLE " + role + " LOGIN NOSUPERUSER PASSWORD '" + OpsTestBed.ownerPassword(role)
                + "'");
        bed.execute(url, "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables"
                + " WHERE schemaname = 'factory'"
                + " LOOP EXECUTE format('ALTER TABLE factory.%I OWNER TO " + role + "', t); END LOOP; END $$");
        bed.execute(url, "DO $$ DECLARE f regprocedure; BEGIN FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE n.nspname = 'factory'"
                + " LOOP EXECUTE format('ALTER FUNCTION %s OWNER TO " + role + "', f); END LOOP; END $$");
        bed.execute(url, "GRANT USAGE ON SCHEMA factory TO " + role);
    }

    private static void drop(OpsTestBed bed, String database, String role) throws SQLException {
        bed.dropDatabase(database); // first: a role cannot be dropped while it owns the database's tables
        bed.dropRole(role);
    }

    /** The database's URL; {@link OpsTestBed#connect} and {@link OpsTestBed#query} reach it as the superuser. */
    public String url() {
        return url;
    }

    /** The owner's role, which the CLIs name in what they print. */
    public String role() {
        return role;
    }

    /** A connection as the owner, as the ops CLI makes one. */
    public Connection connectAsOwner() throws SQLException {
        return DriverManager.getConnection(url, role, OpsTestBed.ownerPassword(role));
    }

    /** The ops CLI's environment as the owner: {@code more} with FACTORY_DB_OWNER_USER and _PASSWORD set to it. */
    public Map<String, String> env(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(more);
        env.put("FACTORY_DB_OWNER_USER", role);
        env.put("FACTORY_DB_OWNER_PASSWORD", OpsTestBed.ownerPassword(role));
        return Map.copyOf(env);
    }

    @Override
    public void close() throws SQLException {
        drop(bed, database, role);
    }
}
