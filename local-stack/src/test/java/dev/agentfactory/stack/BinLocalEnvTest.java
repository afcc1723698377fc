package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The bin/ scripts point the apps at the stack the same port variables start ({@code local_env} in
 * bin/lib/common.sh against {@link StackSettings}): a checkout on other ports must not reach another's stack.
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
    void anotherCheckoutsStackOnTheSamePortsStopsTheScriptsNamingItsDataDirectory() throws Exception {
        try (ServerSocket control = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread stack = new Thread(() -> {
                try (Socket s = control.accept()) {
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                    new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8).println("/elsewhere/.local-stack");
                } catch (IOException e) {
                    // the test fails on the script's output instead
                }
            });
            stack.start();
            ProcessBuilder pb = script("local_env", Map.of("FACTORY_STACK_CONTROL_PORT",
                    Integer.toString(control.getLocalPort())));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(p.waitFor()).as(out).isEqualTo(1);
            assertThat(out).contains("keeps its data in /elsewhere/.local-stack, not in "
                    + StackSettings.projectRoot(Map.of()).resolve(".local-stack"));
            stack.join(5000);
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
        env.putAll(new HashMap<>(vars));
        return pb.redirectErrorStream(true);
    }
}
