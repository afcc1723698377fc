package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.stack.junit.Poll;

/**
 * The bin/ scripts rebuild the jars when a source changed ({@code ensure_built} in bin/lib/common.sh), but not
 * under a process running from them: the build rewrites the jars in place and that JVM then dies on its next
 * class load. Run in a copy of the script beside a stand-in {@code mvnw}, so no real build starts.
 */
class BinEnsureBuiltTest {

    @TempDir
    Path root;

    @Test
    void changedSourcesAreBuiltWhenNothingRunsFromTheJars() throws Exception {
        checkout();

        Result r = ensureBuilt();

        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(root.resolve("built")).exists();
    }

    @Test
    void changedSourcesAreNotBuiltUnderAProcessRunningFromTheJars() throws Exception {
        checkout();
        // bash's $0 stands for the jar in its command line; a second command keeps bash from exec'ing sleep.
        Process app = new ProcessBuilder("bash", "-c", "sleep 60; exit 0", root.resolve("app/target/app.jar").toString())
                .start();
        try {
            Poll.until(Duration.ofSeconds(10), "the stand-in app to start", () -> ProcessHandle.of(app.pid()).flatMap(h -> h.info().arguments())
                    .map(a -> String.join(" ", a).contains("app.jar")).orElse(false));
            Result r = ensureBuilt();

            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(root.resolve("built")).doesNotExist();
            assertThat(r.output()).contains("using the jars as they are", "app/target/app.jar");
        } finally {
            app.destroyForcibly().waitFor();
        }
    }

    /** A checkout whose last build is older than one of its sources, with a mvnw that only records it ran. */
    private void checkout() throws IOException {
        Path common = StackSettings.projectRoot(Map.of()).resolve("bin/lib/common.sh");
        Files.createDirectories(root.resolve("bin/lib"));
        Files.copy(common, root.resolve("bin/lib/common.sh"));
        Path mvnw = Files.writeString(root.resolve("mvnw"), "#!/usr/bin/env bash\ntouch \"$(dirname \"$0\")/built\"\n");
        Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path stamp = Files.createDirectories(root.resolve("target")).resolve(".bin-build-stamp");
        Files.writeString(stamp, "");
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now().minusSeconds(3600)));
        Files.writeString(Files.createDirectories(root.resolve("app/src")).resolve("App.java"), "class App {}");
    }

    private Result ensureBuilt() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". '" + root.resolve("bin/lib/common.sh") + "' && ensure_built");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    private record Result(int exit, String output) {
    }
}
