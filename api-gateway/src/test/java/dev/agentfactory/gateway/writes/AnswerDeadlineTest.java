package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * A waited write's answer must come before the async request timeout (whose bare 503 a client retries): a
 * configuration whose longest wait leaves the answer no time to read back in is refused at startup.
 */
class AnswerDeadlineTest {

    @Test
    void theDefaultsLeaveTheAnswerTimeToRead() {
        long started = System.nanoTime();

        long budget = AnswerDeadline.of(Duration.ofSeconds(60), Duration.ofSeconds(30)).readMillis(started);

        assertThat(budget).isBetween(60_000 - AnswerDeadline.MARGIN.toMillis() - 1_000,
                60_000 - AnswerDeadline.MARGIN.toMillis());
    }

    @Test
    void aMaxWaitThatLeavesNoTimeToReadBeforeTheRequestTimeoutIsRefusedNamingBothSettings() {
        assertThatThrownBy(() -> AnswerDeadline.of(Duration.ofSeconds(60), Duration.ofSeconds(55)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spring.mvc.async.request-timeout (60000ms)")
                .hasMessageContaining("factory.gateway.max-wait (55000ms)");
    }

    @Test
    void anUnsetRequestTimeoutIsTheContainersThirtySecondsAndTooShortForTheDefaultWait() {
        assertThatThrownBy(() -> AnswerDeadline.of(null, Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spring.mvc.async.request-timeout (not set: the servlet container's 30s)");
    }

    @Test
    void withoutARequestTimeoutTheReadHasNoDeadline() {
        assertThat(AnswerDeadline.of(Duration.ZERO, Duration.ofSeconds(30)).readMillis(System.nanoTime()))
                .isEqualTo(Long.MAX_VALUE);
    }
}
