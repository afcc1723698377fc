package dev.agentfactory.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import dev.agentfactory.store.replica.StandbyApplyLock;

class CdcPropertiesTest {

    @Test
    void aTombstoneTtlBelowOneSecondIsRefusedAtStartupNotAtTheFirstDelete() {
        for (Duration ttl : List.of(Duration.ZERO, Duration.ofMillis(500))) {
            assertThatThrownBy(() -> withTombstoneTtl(ttl)).rootCause().isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("factory.cdc.tombstone-ttl must be at least 1s");
        }
    }

    /** ops takes the standby apply lock from the same variable with the same default, so both must agree. */
    @Test
    void theLockKeyComesFromTheVariableOpsReadsWithTheSameDefault() throws IOException {
        assertThat(bind(Map.of()).lockKey()).isEqualTo(StandbyApplyLock.DEFAULT_KEY);
        assertThat(bind(Map.of(StandbyApplyLock.KEY_VARIABLE, "77")).lockKey()).isEqualTo(77L);
    }

    /** The relay's properties as its application.yml and the given process environment make them. */
    private static CdcProperties bind(Map<String, Object> environment) throws IOException {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        environment));
        new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))
                .forEach(env.getPropertySources()::addLast);
        return Binder.get(env).bindOrCreate("factory.cdc", CdcProperties.class);
    }

    /** The standby sink failed at the table's first change, and the relay restarted on it for good. */
    @Test
    void aTableTheStandbySinkDoesNotKnowIsRefusedAtStartupUnlessTheSinkIsOff() {
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("tables", "agents,prds,agent_reviews"))).rootCause()
                .hasMessageContaining("factory.cdc.tables [agent_reviews] are not in store.replica.TableSpec.FACTORY");
        assertThat(TestCdcProperties.with(Map.of("tables", "agents,prds,agent_reviews", "standby.enabled", "false"))
                .tables()).contains("agent_reviews");
    }

    @Test
    void anEngineQueueNoLargerThanItsBatchOrWithoutAByteBoundIsRefusedAtStartup() {
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("max-queue-records", "8192"))).rootCause()
                .hasMessageContaining("must be larger than factory.cdc.max-batch-records");
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("max-queue-bytes", "0"))).rootCause()
                .hasMessageContaining("must be positive");
    }

    @Test
    void aLockPeerTimeoutWithinThreePollsIsRefusedSinceALiveLeaderWouldLoseItsSession() {
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("lock-peer-timeout", "2s"))).rootCause()
                .hasMessageContaining("must be at least three lock-poll-intervals");
    }

    @Test
    void aLongestRestartPauseBelowTheFirstIsRefused() {
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("restart-backoff", "10s", "restart-backoff-max", "5s")))
                .rootCause().hasMessageContaining("must be at least factory.cdc.restart-backoff");
    }

    @Test
    void aSocketTimeoutNotAboveTheSinkTimeoutIsRefusedSinceItWouldCutStatementsTheSinkAllows() {
        assertThatThrownBy(() -> TestCdcProperties.with(Map.of("db-socket-timeout", "10"))).rootCause()
                .hasMessageContaining("must be above factory.cdc.sink-timeout");
        assertThat(TestCdcProperties.with(Map.of("db-socket-timeout", "11")).dbSocketTimeout())
                .isEqualTo(Duration.ofSeconds(11));
    }

    private static CdcProperties withTombstoneTtl(Duration ttl) {
        return TestCdcProperties.with(Map.of("tombstone-ttl", ttl.toMillis() + "ms"));
    }
}
