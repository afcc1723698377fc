package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.agentfactory.stack.junit.FreePorts;

/**
 * The bin/ scripts point the apps at the stack the same port variables start ({@code local_env} in
 * bin/lib/common.sh against {@link StackSettings}): a checkout on other ports must not reach another's stack, nor
 * one on the same ports whose stack process keeps its data elsewhere.
 */
class BinLocalEnvTest {

    @Test
    void theScriptsDeriveTheAppsUrlsFromTheStacksPortVariables() throws Exception {
        Map<String, String> env = Map.of("FACTORY_STACK_KAFKA_PORT", "29092", "FACTORY_STACK_PRIMARY_PORT", "56432",
                "FACTORY_STACK_STANDBY_PORT", "56433", "FACTORY_STACK_REDIS_PORT", "26379", "FACTORY_STACK_DATABASE",
                "other");
        StackSettings s = StackSettings.fromEnvironment(env);

        assertThat(localEnv(env)).containsExactly(s.kafkaBootstrap(), s.jdbcUrl(s.primaryPort(), s.database()),
                s.jdbcUrl(s.standbyPort(), s.database()), "redis://127.0.0.1:" + s.redisPort());
    }

    @Test
    void explicitUrlsWinOverThePortVariables() throws Exception {
        Map<String, String> env = Map.of("FACTORY_STACK_PRIMARY_PORT", "56432",
                "FACTORY_DB_URL", "jdbc:postgresql://db.example:5432/postgres");

        assertThat(localEnv(env).get(1)).isEqualTo("jdbc:postgresql://db.example:5432/postgres");
    }

    @Test
    void anotherCheckoutsStackOnTheSamePortsStopsTheScriptsNamingItsDataDirectoryAndProcess() throws Exception {
        Path mine = StackSettings.projectRoot(Map.of()).resolve(".local-stack");
        try (ServerSocket control = FakeControlPort.answering("/elsewhere/.local-stack")) {
            String port = Integer.toString(control.getLocalPort());
            // also when the URL is the stack's own, as eval "$(bin/stack env)" sets it
            for (Map<String, String> env : List.of(Map.of("FACTORY_STACK_CONTROL_PORT", port), Map.of(
                    "FACTORY_STACK_CONTROL_PORT", port, "FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:55432/factory"))) {
                Process p = script("local_env", env).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

                assertThat(p.waitFor()).as(out).isEqualTo(1);
                assertThat(out).contains("(process /elsewhere/.local-stack) keeps its data in /elsewhere/.local-stack, "
                        + "not in " + mine).contains("FACTORY_STACK_DIR=/elsewhere/.local-stack bin/stack down");
            }
        }
    }

    @Test
    void thisCheckoutsOwnStackAlsoUnderALinkedNameLetsTheScriptsGoOn(@TempDir Path tmp) throws Exception {
        Path mine = StackSettings.projectRoot(Map.of()).resolve(".local-stack");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), mine.getParent());
        try (ServerSocket control = FakeControlPort.answering(mine.toString())) {
            String port = Integer.toString(control.getLocalPort());

            assertThat(localEnv(Map.of("FACTORY_STACK_CONTROL_PORT", port))).hasSize(4);
            assertThat(localEnv(Map.of("FACTORY_STACK_CONTROL_PORT", port, "FACTORY_STACK_DIR",
                    link.resolve(".local-stack").toString()))).hasSize(4);
        }
    }

    /** FACTORY_KAFKA_BOOTSTRAP, FACTORY_DB_URL, FACTORY_STANDBY_DB_URL, FACTORY_REDIS_URL after local_env. */
    private static List<String> localEnv(Map<String, String> vars) throws IOException, InterruptedException {
        Process p = script("local_env && printf '%s\\n' \"$FACTORY_KAFKA_BOOTSTRAP\" \"$FACTORY_DB_URL\" "
                + "\"$FACTORY_STANDBY_DB_URL\" \"$FACTORY_REDIS_URL\"", vars).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.lines().toList();
    }

    /** bash running {@code commands} after sourcing bin/lib/common.sh, with only {@code vars} of the FACTORY_ ones. */
    private static ProcessBuilder script(String commands, Map<String, String> vars) {
        Path common = StackSettings.projectRoot(Map.of()).resolve("bin/lib/common.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". '" + common + "' && " + commands);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("FACTORY_"));
        // nothing on the control port unless the test says so: a real stack there (another build's) is not the test's
        env.put("FACTORY_STACK_CONTROL_PORT", Integer.toString(FreePorts.take()));
        env.putAll(new HashMap<>(vars));
        return pb.redirectErrorStream(true);
    }
}
