package dev.agentfactory.migrations;

import java.util.List;

/** {@code bin/db}: the migrations from the command line. */
public final class DbMain {

    private DbMain() {
    }

    public static void main(String[] args) {
        List<String> argv = List.of(args);
        String command = argv.isEmpty() ? "help" : argv.get(0);
        Migrations migrations = new Migrations(MigrationSettings.fromEnvironment(System.getenv()));
        try {
            switch (command) {
                case "migrate" -> System.out.println("applied " + migrations.migrate() + " migration(s)");
                default -> {
                    System.err.println("usage: db migrate");
                    System.exit(2);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("db " + command + " failed: " + e.getMessage());
            System.exit(1);
        }
    }
}
