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
              rollback --to <version> [--drop-data]
                                         run the paired U scripts of newer migrations, newest first, in one
                                         transaction (0 = empty; dropping tables that hold rows needs --drop-data)
              repair                     realign recorded checksums with the scripts, drop failed entries
              fingerprint                print the live catalog fingerprint of the factory schema
              import <file>              (bin/db only: store-exec.jar) load a legacy JSON snapshot (store/README.md)
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
        // Arguments are checked before anything connects: an unknown flag must never be ignored (`db repair
        // --dry-run` would repair), and usage mistakes exit 2 whatever the environment holds.
        String problem = argumentProblem(command, argv.subList(Math.min(1, argv.size()), argv.size()));
        if (problem != null) {
            return usage(err, problem);
        }
        if (command.equals("help") || command.equals("--help") || command.equals("-h")) {
            out.println(USAGE);
            return 0;
        }
        try {
            Migrations migrations = new Migrations(MigrationSettings.fromEnvironment(env));
            return switch (command) {
                case "migrate" -> migrate(migrations, argv, out);
                case "validate" -> validate(migrations, out, err);
                case "info" -> info(migrations, out);
                case "rollback" -> rollback(migrations, argv, out);
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
                default -> throw new IllegalStateException("unchecked command " + command);
            };
        } catch (MigrationException | FlywayException e) {
            // A failed CREATE ROLE quotes its statement, the role's password verifier included, in the message.
            err.println("db " + command + " failed: " + MigrationSettings.redacted(env, e.getMessage()));
            return 1;
        }
    }

    /** What is wrong with the arguments of {@code command}, or null when they are what it takes. */
    static String argumentProblem(String command, List<String> args) {
        return switch (command) {
            case "validate", "info", "repair", "fingerprint", "help", "--help", "-h" ->
                    args.isEmpty() ? null : command + " takes no arguments, got " + args;
            case "migrate" -> args.isEmpty() ? null : versionProblem("migrate takes no argument or --to <version>", args);
            case "rollback" -> versionProblem("rollback needs --to <version> [--drop-data] (0 rolls everything back)",
                    args.size() == 3 && args.get(2).equals("--drop-data") ? args.subList(0, 2) : args);
            default -> "unknown command '" + command + "'";
        };
    }

    private static String versionProblem(String expected, List<String> args) {
        if (args.size() != 2 || !args.get(0).equals("--to")) {
            return expected + ", got " + args;
        }
        return args.get(1).matches("\\d+(\\.\\d+)*") ? null : "not a version: '" + args.get(1) + "'";
    }

    private static int migrate(Migrations migrations, List<String> argv, PrintStream out) {
        int applied = argv.size() == 1 ? migrations.migrate() : migrations.migrateTo(argv.get(2));
        out.println("applied " + applied + " migration(s); now at " + at(migrations));
        return 0;
    }

    private static int validate(Migrations migrations, PrintStream out, PrintStream err) {
        ValidationReport report = migrations.validate();
        report.sweep().forEach(line -> out.println("validate: " + line));
        if (report.valid()) {
            out.println("valid: checksums match and the live schema is what the migrations define at V" + report.version());
            if (!report.pending().isEmpty()) {
                out.println("pending: " + String.join(", ", report.pending()) + " (db migrate applies them)");
            }
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
        List<String> rollbacks = migrations.rollbackHistory();
        if (!rollbacks.isEmpty()) {
            out.println("rollbacks:");
            rollbacks.forEach(r -> out.println("  " + r));
        }
        return 0;
    }

    private static int rollback(Migrations migrations, List<String> argv, PrintStream out) {
        String to = argv.get(2);
        List<String> scripts = migrations.rollbackTo(to, argv.size() == 4);
        scripts.forEach(s -> out.println("rolled back: " + s));
        out.println(scripts.isEmpty() ? "nothing newer than V" + to + " is applied" : "now at V" + to);
        return 0;
    }

    private static String at(Migrations migrations) {
        var version = migrations.currentVersion();
        return version == null ? "no version" : "V" + version;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("db: " + problem);
        err.println(USAGE);
        return 2;
    }
}
