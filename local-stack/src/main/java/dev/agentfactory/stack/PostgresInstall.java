package dev.agentfactory.stack;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Installs the PostgreSQL server when it is missing, as root where apt-get exists, as {@code bin/lib/common.sh}'s
 * {@code ensure_system_deps} does for {@code bin/run} and {@code .ci/run}: so the README's test command,
 * {@code ./mvnw verify}, works on a fresh machine by itself too. Tried once per JVM; elsewhere the caller says what
 * to install.
 */
final class PostgresInstall {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static boolean tried;

    private PostgresInstall() {
    }

    /** Whether an install ran (and succeeded): then look for the binaries again. */
    static synchronized boolean tryOnce() {
        if (tried || !Processes.isRoot() || Processes.which("apt-get", List.of()) == null) {
            return false;
        }
        tried = true;
        System.err.println("local-stack: installing the PostgreSQL server (apt-get install postgresql)...");
        List<String> env = List.of("env", "DEBIAN_FRONTEND=noninteractive");
        Processes.run(concat(env, List.of("apt-get", "update", "-qq")), TIMEOUT);
        Processes.run(concat(env, List.of("apt-get", "install", "-y", "-qq", "postgresql")), TIMEOUT);
        return true;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
