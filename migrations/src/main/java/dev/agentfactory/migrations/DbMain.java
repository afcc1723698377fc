package dev.agentfactory.migrations;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;

/**
 * {@code bin/db}: the migrations from the command line, against FACTORY_DB_URL (any PostgreSQL, TLS
 * options in the URL or FACTORY_DB_SSLMODE…). Exit codes: 0 done, 1 failed or invalid, 2 bad usage.
 */
public final class DbMain {

    static final String USAGE = """
            usage: db <command>
              migrate [--to <version>]   apply pending migrations (up to a version)
              validate                   checksums, and the live schema against a scratch migration of the same version
              info                       every migration with its state, and past rollbacks
              rollback --to <version>    run the paired U scripts of newer migrations, newest first (0 = empty)
              repair                     realign recorded checksums with the scripts, drop failed entries
              fingerprint                print the live catalog fingerprint of the factory schema
              import <file>              load a legacy JSON snapshot (see store/README.md)
            environment: FACTORY_DB_URL, FACTORY_DB_OWNER_USER, FACTORY_DB_OWNER_PASSWORD,
                         FACTORY_DB_{WRITER,READER,REPLICATOR}_PASSWORD, FACTORY_DB_SSLMODE, FACTORY_DB_SSLROOTCERT""";

    private DbMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv(), System.out, System.err));
    }

    /** Runs one command; returns the process exit code. */
    public static int run(List<String> argv, Map<String, String> env, PrintStream out, PrintStream err) {
        String command = argv.isEmpty() ? "help" : argv.get(0);
        Migrations migrations = new Migrations(MigrationSettings.fromEnvironment(env));
        try {
            return switch (command) {
                case "migrate" -> migrate(migrations, argv, out, err);
                case "validate" -> validate(migrations, out, err);
                case "info" -> info(migrations, out);
                case "rollback" -> rollback(migrations, argv, out, err);
                case "repair" -> {
                    var result = migrations.repair();
                    out.println("repaired: " + result.migrationsAligned.size() + " checksum(s) realigned, "
                            + result.migrationsRemoved.size() + " failed entr(y/ies) removed");
                    yield 0;
                }
                case "fingerprint" -> {
                    migrations.fingerprint().lines().forEach(out::println);
                    yield 0;
                }
                case "help", "--help", "-h" -> {
                    out.println(USAGE);
                    yield 0;
                }
                default -> usage(err, "unknown command '" + command + "'");
            };
        } catch (MigrationException | FlywayException e) {
            err.println("db " + command + " failed: " + e.getMessage());
            return 1;
        }
    }

    private static int migrate(Migrations migrations, List<String> argv, PrintStream out, PrintStream err) {
        if (argv.size() == 1) {
            out.println("applied " + migrations.migrate() + " migration(s); now at V" + migrations.currentVersion());
            return 0;
        }
        String to = option(argv, "--to");
        if (to == null || argv.size() != 3) {
            return usage(err, "migrate takes no argument or --to <version>");
        }
        out.println("applied " + migrations.migrateTo(to) + " migration(s); now at V" + migrations.currentVersion());
        return 0;
    }

    private static int validate(Migrations migrations, PrintStream out, PrintStream err) {
        ValidationReport report = migrations.validate();
        if (report.valid()) {
            out.println("valid: checksums match and the live schema is what the migrations define at V" + report.version());
            return 0;
        }
        if (!report.checksumProblems().isEmpty()) {
            err.println("INVALID: applied migrations do not match the scripts:");
            report.checksumProblems().forEach(p -> err.println("  " + p));
        }
        if (!report.schemaDifferences().isEmpty()) {
            err.println("INVALID: the live schema has drifted from what the migrations define at V" + report.version()
                    + " (" + report.schemaDifferences().size() + " difference(s)):");
            report.schemaDifferences().forEach(d -> err.println("  " + d));
        }
        return 1;
    }

    private static int info(Migrations migrations, PrintStream out) {
        out.printf("%-10s %-40s %-12s %s%n", "version", "description", "state", "installed on");
        for (MigrationInfo m : migrations.info()) {
            out.printf("%-10s %-40s %-12s %s%n", m.getVersion() == null ? "R" : m.getVersion(), m.getDescription(),
                    m.getState().getDisplayName(), m.getInstalledOn() == null ? "" : m.getInstalledOn());
        }
        return 0;
    }

    private static int rollback(Migrations migrations, List<String> argv, PrintStream out, PrintStream err) {
        String to = option(argv, "--to");
        if (to == null || argv.size() != 3) {
            return usage(err, "rollback needs --to <version> (0 rolls everything back)");
        }
        if (!to.matches("\\d+(\\.\\d+)*")) {
            return usage(err, "not a version: '" + to + "'");
        }
        List<String> scripts = migrations.rollbackTo(to);
        scripts.forEach(s -> out.println("rolled back: " + s));
        out.println(scripts.isEmpty() ? "nothing newer than V" + to + " is applied" : "now at V" + to);
        return 0;
    }

    private static String option(List<String> argv, String name) {
        int i = argv.indexOf(name);
        return i > 0 && i + 1 < argv.size() ? argv.get(i + 1) : null;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("db: " + problem);
        err.println(USAGE);
        return 2;
    }
}
