package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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

    /** FACTORY_KAFKA_BOOTSTRAP, FACTORY_DB_URL, FACTORY_STANDBY_DB_URL, FACTORY_REDIS_URL after local_env. */
    private static List<String> localEnv(Map<String, String> vars) throws IOException, InterruptedException {
        Path common = StackSettings.projectRoot(Map.of()).resolve("bin/lib/common.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". '" + common + "' && local_env && printf '%s\\n' "
                + "\"$FACTORY_KAFKA_BOOTSTRAP\" \"$FACTORY_DB_URL\" \"$FACTORY_STANDBY_DB_URL\" \"$FACTORY_REDIS_URL\"");
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("FACTORY_"));
        env.putAll(new HashMap<>(vars));
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.lines().toList();
    }
}
