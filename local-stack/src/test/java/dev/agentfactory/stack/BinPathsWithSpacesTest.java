package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.agentfactory.stack.junit.FreePorts;

/**
 * The bin/ scripts run from a checkout, and with a JDK, whose paths hold spaces ({@code JAVA_HOME="/opt/my jdk"}):
 * an unquoted {@code $JAVA} split into two words and the shell found no command. Run in a copy of the scripts
 * under such a path, with a stand-in {@code java} that records the jar and arguments it was given.
 */
class BinPathsWithSpacesTest {

    private static final List<String> JARS = List.of("local-stack/target/local-stack.jar",
            "migrations/target/migrations-exec.jar", "store/target/store-exec.jar", "ops/target/ops-exec.jar",
            "bench/target/bench.jar", "ingest-worker/target/ingest-worker.jar", "cdc-relay/target/cdc-relay.jar",
            "api-gateway/target/api-gateway.jar");

    @TempDir
    Path tmp;
    private Path root;
    private Path calls;
    private Path jdk;

    @BeforeEach
    void checkoutAndJdkWithSpaces() throws IOException {
        root = tmp.resolve("my checkout");
        jdk = tmp.resolve("my jdk");
        Path project = StackSettings.projectRoot(Map.of());
        Files.createDirectories(root.resolve("bin/lib"));
        for (String script : List.of("db", "ops", "stack", "bench", "run", "lib/common.sh")) {
            executable(Files.copy(project.resolve("bin/" + script), root.resolve("bin/" + script)));
        }
        Files.createDirectories(root.resolve("target"));
        Files.writeString(root.resolve("target/.bin-build-stamp"), ""); // no source newer: no build
        for (String jar : JARS) {
            Files.createDirectories(root.resolve(jar).getParent());
            Files.writeString(root.resolve(jar), "");
        }
        calls = tmp.resolve("calls");
    }

    @ParameterizedTest
    @CsvSource({
            "db, info, migrations-exec.jar info",
            "db, import snapshot.json, store-exec.jar snapshot.json",
            "ops, verify, ops-exec.jar verify",
            "stack, status, local-stack.jar status",
            "bench, ingest, bench.jar ingest"})
    void eachScriptRunsItsJarWithTheJdkOfJavaHome(String script, String args, String expected) throws Exception {
        java("exit 0");

        Run r = run(script, args.split(" "));

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(Files.readAllLines(calls)).containsExactly(expected);
    }

    @Test
    void runStartsTheStackMigratesBothDatabasesAndStartsTheApps() throws Exception {
        // The stack is not running, so this run starts it and stops it when the first app exits at once.
        java("""
                case "$(basename "$2"):$3" in
                  local-stack.jar:running) exit 3 ;;
                  ingest-worker.jar:*|cdc-relay.jar:*|api-gateway.jar:*) exit 1 ;;
                esac""");

        Run r = run("run");

        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("exited; see " + tmp.resolve("stack/logs"));
        assertThat(Files.readAllLines(calls)).map(line -> line.replaceAll("=\\d+$", "=N"))
                .containsSubsequence("local-stack.jar running", "local-stack.jar up", "migrations-exec.jar migrate",
                        "migrations-exec.jar migrate", "ingest-worker.jar --server.port=N", "local-stack.jar down");
    }

    /** The stand-in java: checks it got {@code -jar <an existing jar>}, records the jar and the arguments. */
    private void java(String behaviour) throws IOException {
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\n"
                + "[ \"$1\" = -jar ] && [ -f \"$2\" ] || { echo \"stand-in java: bad arguments: $*\" >&2; exit 99; }\n"
                + "echo \"$(basename \"$2\") ${*:3}\" >> '" + calls + "'\n" + behaviour + "\n");
        executable(java);
    }

    private Run run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("bin/" + script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().put("JAVA_HOME", jdk.toString());
        Path pg = Files.createDirectories(tmp.resolve("pg/bin")); // bin/run's check for PostgreSQL's binaries
        executable(Files.writeString(pg.resolve("initdb"), "#!/bin/sh\n"));
        pb.environment().put("PATH", pg + ":" + System.getenv("PATH"));
        pb.environment().put("FACTORY_STACK_DIR", tmp.resolve("stack").toString());
        // the control port too: a real stack on the default ports (another build's) is no stand-in's to answer for
        for (String port : List.of("WORKER_PORT", "RELAY_PORT", "GATEWAY_PORT", "FACTORY_STACK_CONTROL_PORT")) {
            pb.environment().put(port, Integer.toString(FreePorts.take()));
        }
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    private static Path executable(Path file) throws IOException {
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Run(int exit, String output) {
    }
}
