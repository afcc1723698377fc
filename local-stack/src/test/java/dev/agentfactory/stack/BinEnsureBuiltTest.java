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
        notBuiltUnderARunningJar();
    }

    @Test
    void aCheckoutWhosePathHasSpacesSeesTheProcessesRunningFromItsJars() throws Exception {
        // ps joins a command's arguments with spaces, so splitting its lines never found "/my checkout/app/...".
        root = root.resolve("my checkout  two");
        notBuiltUnderARunningJar();
    }

    @Test
    void aJarOfAnotherCheckoutWhosePathStartsTheSameDoesNotHoldTheBuild() throws Exception {
        checkout();
        Process app = standInApp(root.resolveSibling(root.getFileName() + "-other").resolve("app/target/app.jar"));
        try {
            Result r = ensureBuilt();

            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(root.resolve("built")).exists();
        } finally {
            app.destroyForcibly().waitFor();
        }
    }

    /** The stack that tests start runs with {@code -cp a.jar:…:local-stack/target/local-stack.jar:…}. */
    @Test
    void aJarOnAClassPathOfARunningProcessHoldsTheBuild() throws Exception {
        checkout();
        Process app = standInApp("/x/lib.jar:" + root.resolve("app/target/app.jar") + ":/y/other.jar");
        try {
            Result r = ensureBuilt();

            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(root.resolve("built")).doesNotExist();
            assertThat(r.output()).contains("using the jars as they are");
        } finally {
            app.destroyForcibly().waitFor();
        }
    }

    private void notBuiltUnderARunningJar() throws Exception {
        checkout();
        Process app = standInApp(root.resolve("app/target/app.jar"));
        try {
            Result r = ensureBuilt();

            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(root.resolve("built")).doesNotExist();
            assertThat(r.output()).contains("using the jars as they are", root.resolve("app/target/app.jar").toString());
        } finally {
            app.destroyForcibly().waitFor();
        }
    }

    /** A process with {@code jar} in its command line. */
    private static Process standInApp(Path jar) throws IOException {
        return standInApp(jar.toString());
    }

    private static Process standInApp(String jarArgument) throws IOException {
        // bash's $0 stands for the jar in its command line; a second command keeps bash from exec'ing sleep.
        Process app = new ProcessBuilder("bash", "-c", "sleep 60; exit 0", jarArgument).start();
        Poll.until(Duration.ofSeconds(10), "the stand-in app to start", () -> ProcessHandle.of(app.pid())
                .flatMap(h -> h.info().arguments()).map(a -> String.join(" ", a).contains("app.jar")).orElse(false));
        return app;
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
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$0\" && ensure_built", root.resolve("bin/lib/common.sh").toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    private record Result(int exit, String output) {
    }
}
