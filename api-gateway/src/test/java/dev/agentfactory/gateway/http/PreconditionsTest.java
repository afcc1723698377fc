package dev.agentfactory.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.agentfactory.gateway.problem.ApiProblem;

class PreconditionsTest {

    @Test
    void ifMatchBecomesTheExpectedVersionAndAnythingElseIsRefused() {
        assertThat(Preconditions.expectedVersion("\"7\"")).isEqualTo(7L);
        assertThat(Preconditions.expectedVersion(null)).isNull();
        for (String bad : new String[] {"7", "\"7\", \"8\"", "\"-1\"", "*", "\"1 OR 1=1\"", "\"99999999999999999999\""}) {
            assertThatThrownBy(() -> Preconditions.expectedVersion(bad)).as(bad).isInstanceOf(ApiProblem.class);
        }
    }

    @Test
    void ifNoneMatchMatchesTheCurrentVersionInAListOrAStar() {
        assertThat(Preconditions.notModified("\"3\"", 3)).isTrue();
        assertThat(Preconditions.notModified("\"2\", W/\"3\"", 3)).isTrue();
        assertThat(Preconditions.notModified("*", 3)).isTrue();
        assertThat(Preconditions.notModified("\"2\"", 3)).isFalse();
        assertThat(Preconditions.notModified(null, 3)).isFalse();
    }

    @Test
    void preferWaitIsCappedAndOtherPreferencesAreIgnored() {
        Duration max = Duration.ofSeconds(30);
        assertThat(Preconditions.wait("wait=5", max)).isEqualTo(Duration.ofSeconds(5));
        assertThat(Preconditions.wait("respond-async, wait=10", max)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Preconditions.wait("wait=600", max)).isEqualTo(max);
        assertThat(Preconditions.wait("return=minimal", max)).isZero();
        assertThat(Preconditions.wait("nowait=5", max)).isZero();
        assertThat(Preconditions.wait(null, max)).isZero();
    }
}
