package dev.agentfactory.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    @Test
    void consecutiveFailuresWaitTwiceAsLongEachTimeUpToTheMaximum() {
        RestartBackoff backoff = new RestartBackoff(Duration.ofSeconds(5), Duration.ofMinutes(5));
        List<Duration> pauses = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            pauses.add(backoff.afterFailure());
        }
        assertThat(pauses).extracting(Duration::toSeconds).containsExactly(5L, 10L, 20L, 40L, 80L, 160L, 300L, 300L,
                300L);
    }

    @Test
    void aDeliveryBetweenFailuresMakesTheNextPauseTheFirstAgain() {
        RestartBackoff backoff = new RestartBackoff(Duration.ofSeconds(5), Duration.ofMinutes(5));
        backoff.afterFailure();
        backoff.afterFailure();
        backoff.delivered();
        assertThat(backoff.afterFailure()).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.afterFailure()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aMaximumNotAboveTheFirstPauseKeepsEveryPauseTheFirst() {
        RestartBackoff backoff = new RestartBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(List.of(backoff.afterFailure(), backoff.afterFailure())).containsOnly(Duration.ofSeconds(5));
    }
}
