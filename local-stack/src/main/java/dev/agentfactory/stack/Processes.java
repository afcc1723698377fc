package dev.agentfactory.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the machine's PostgreSQL and Redis programs, as an unprivileged user when we are root. */
final class Processes {

    private Processes() {
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Finds an executable on PATH or in the usual PostgreSQL install directories. */
    static Path which(String program, List<Path> extraDirs) {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(":")) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry));
            }
        }
        dirs.addAll(extraDirs);
        for (Path dir : dirs) {
            Path candidate = dir.resolve(program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Prefixes a command so it runs as {@code osUser} (only when we are root). */
    static List<String> asUser(String osUser, List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", osUser, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Runs a command to completion; throws with its output when it fails or times out. */
    static String run(List<String> command, Duration timeout) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new StackException("timed out after " + timeout + ": " + String.join(" ", command));
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new StackException("exit " + p.exitValue() + " from " + String.join(" ", command) + "\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new StackException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while running " + command.get(0), e);
        }
    }

    /** Like {@link #run} but reports failure as {@code false} instead of throwing. */
    static boolean succeeds(List<String> command, Duration timeout) {
        try {
            run(command, timeout);
            return true;
        } catch (StackException e) {
            return false;
        }
    }
}
