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
        backoff.streamEnded(true, Duration.ofSeconds(1));
        assertThat(backoff.afterFailure()).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.afterFailure()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aMaximumNotAboveTheFirstPauseKeepsEveryPauseTheFirst() {
        RestartBackoff backoff = new RestartBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(List.of(backoff.afterFailure(), backoff.afterFailure())).containsOnly(Duration.ofSeconds(5));
    }

    @Test
    void aStreamThatRanAtLeastTheLongestPauseMakesTheNextPauseTheFirstEvenWithoutChanges() {
        // A quiet night: heartbeats only, and failures hours apart are not one failing transaction.
        RestartBackoff backoff = new RestartBackoff(Duration.ofSeconds(5), Duration.ofMinutes(5));
        backoff.afterFailure();
        backoff.afterFailure();
        backoff.streamEnded(false, Duration.ofMinutes(5));
        assertThat(backoff.afterFailure()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aShortStreamWithoutChangesKeepsDoubling() {
        // An engine that stops on the same transaction at every start runs seconds each time.
        RestartBackoff backoff = new RestartBackoff(Duration.ofSeconds(5), Duration.ofMinutes(5));
        backoff.afterFailure();
        backoff.streamEnded(false, Duration.ofSeconds(3));
        assertThat(backoff.afterFailure()).isEqualTo(Duration.ofSeconds(10));
    }
}
