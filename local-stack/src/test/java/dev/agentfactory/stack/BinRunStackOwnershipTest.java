package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.stack.junit.FreePorts;

/**
 * bin/run stops on exit only a stack it started. Whether one was running is the stack process's answer on its
 * control port, as {@code bin/stack up} decides to reuse it, not whether every service port is open: a stack
 * whose Redis or standby is down for a moment, or that another terminal is still starting, is someone else's all
 * the same. Run in a copy of the scripts with a stand-in {@code java} that plays the stack and stops the run at
 * its first migration, so nothing real starts or stops.
 */
class BinRunStackOwnershipTest {

    @TempDir
    Path root;

    @Test
    void aRunningStackWithAServiceDownIsReusedAndLeftRunning() throws Exception {
        List<String> calls = run("""
                case "$2:$3" in
                  *local-stack.jar:status) exit 3 ;;  # a service port closed
                  *local-stack.jar:running) exit 0 ;; # the stack process answers
                  *local-stack.jar:up) echo "local stack already running; reusing it" ;;
                  *local-stack.jar:down) ;;
                  *) exit 1 ;;                        # the first migration: the run ends here
                esac""");

        assertThat(calls).contains("local-stack.jar up").doesNotContain("local-stack.jar down");
    }

    @Test
    void aStackThisRunStartedIsStoppedWhenItEnds() throws Exception {
        List<String> calls = run("""
                case "$2:$3" in
                  *local-stack.jar:status|*local-stack.jar:running) exit 3 ;;
                  *local-stack.jar:up|*local-stack.jar:down) ;;
                  *) exit 1 ;;
                esac""");

        assertThat(calls).containsSubsequence("local-stack.jar up", "local-stack.jar down");
    }

    /**
     * An app left running by an earlier run (killed with SIGKILL, the apps in sessions of their own) answered the new
     * run's health checks on its port while the new app failed to bind it: the run is refused before anything starts.
     */
    @Test
    void aPortStillTakenIsRefusedBeforeAnythingStarts() throws Exception {
        try (ServerSocket leftOver = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = leftOver.getLocalPort();
            StringBuilder out = new StringBuilder();
            List<String> calls = run("exit 0", Map.of("GATEWAY_PORT", Integer.toString(port)), out);

            assertThat(out).contains("port " + port + " is in use");
            assertThat(calls).isEmpty();
        }
    }

    private List<String> run(String stack) throws IOException, InterruptedException {
        return run(stack, Map.of(), new StringBuilder());
    }

    /**
     * Runs bin/run against a stand-in java whose behaviour is {@code stack}, with {@code env} added; returns the jar
     * commands it got, and appends what the run printed to {@code out}.
     */
    private List<String> run(String stack, Map<String, String> env, StringBuilder out)
            throws IOException, InterruptedException {
        Path project = StackSettings.projectRoot(Map.of());
        Files.createDirectories(root.resolve("bin/lib"));
        Files.copy(project.resolve("bin/run"), root.resolve("bin/run"));
        Files.copy(project.resolve("bin/lib/common.sh"), root.resolve("bin/lib/common.sh"));
        executable(root.resolve("bin/run"));
        Files.createDirectories(root.resolve("target"));
        Files.writeString(root.resolve("target/.bin-build-stamp"), ""); // no source newer: no build
        for (String jar : List.of("local-stack/target/local-stack.jar", "migrations/target/migrations-exec.jar")) {
            Files.createDirectories(root.resolve(jar).getParent());
            Files.writeString(root.resolve(jar), "");
        }
        Path calls = root.resolve("calls");
        Path java = Files.createDirectories(root.resolve("jdk/bin")).resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\necho \"$(basename \"$2\") $3\" >> '" + calls + "'\n" + stack + "\n");
        executable(java);
        Files.createDirectories(root.resolve("pg/bin"));
        executable(Files.writeString(root.resolve("pg/bin/initdb"), "#!/bin/sh\n"));

        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("bin/run").toString());
        pb.environment().put("JAVA_HOME", root.resolve("jdk").toString());
        pb.environment().put("PATH", root.resolve("pg/bin") + ":" + System.getenv("PATH"));
        pb.environment().put("FACTORY_STACK_DIR", root.resolve("stack").toString());
        // a real stack on the default ports (another build's) is no stand-in's to answer for
        pb.environment().put("FACTORY_STACK_CONTROL_PORT", Integer.toString(FreePorts.take()));
        pb.environment().putAll(env);
        Process p = pb.redirectErrorStream(true).start();
        out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertThat(p.waitFor()).as(out.toString()).isNotZero(); // the stand-in's migration failed, or a refusal
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    private static Path executable(Path file) throws IOException {
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
