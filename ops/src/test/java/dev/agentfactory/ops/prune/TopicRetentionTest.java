package dev.agentfactory.ops.prune;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class TopicRetentionTest {

    /** A topic with the broker's default segment.ms (7 days). */
    private static TopicRetention.Kept days(String topic, int days) {
        return new TopicRetention.Kept(topic, Duration.ofDays(days), Duration.ofDays(7), false);
    }

    @Test
    void anAgeLongerThanTheLongestRetentionPlusItsSegmentTimeIsSafe() {
        assertThat(TopicRetention.refusal(Duration.ofDays(15).plusMillis(1),
                List.of(days("w", 7), days("dlq", 8)))).isNull();
    }

    @Test
    void anAgeWithinARetentionPlusItsSegmentTimeIsRefusedNamingThatTopic() {
        // A segment rolls after segment.ms and is deleted once its newest record is older than retention.ms: a
        // record of a 7d topic can still be there after 10 days.
        assertThat(TopicRetention.refusal(Duration.ofDays(10), List.of(days("w", 7))))
                .contains("topic w (up to 14d: retention.ms 604800000 = 7d plus segment.ms 604800000 = 7d)");
        assertThat(TopicRetention.refusal(Duration.ofDays(15), List.of(days("w", 7), days("dlq", 8))))
                .contains("topic dlq").contains("applied a second time");
        assertThat(TopicRetention.refusal(Duration.ofDays(9), List.of(days("w", 7), days("dlq", 1))))
                .contains("topic w");
    }

    @Test
    void aTopicKeptForeverRefusesEveryAge() {
        assertThat(TopicRetention.refusal(Duration.ofDays(36_500),
                List.of(days("w", 7), new TopicRetention.Kept("dlq", Duration.ZERO, Duration.ofDays(7), true))))
                .contains("topic dlq (kept forever)");
    }

    @Test
    void aRetentionOfLongMaxMillisecondsIsRefusedWithAReasonNotAnOverflow() {
        // retention.ms=9223372036854775807 is the usual "keep for ever" that is not -1; plus segment.ms it is more
        // milliseconds than a long holds.
        assertThat(TopicRetention.refusal(Duration.ofDays(30), List.of(days("w", 7),
                new TopicRetention.Kept("dlq", Duration.ofMillis(Long.MAX_VALUE), Duration.ofDays(7), false))))
                .contains("topic dlq").contains("retention.ms 9223372036854775807");
        assertThat(TopicRetention.readable(Duration.ofMillis(Long.MAX_VALUE).plusDays(7))).isNotEmpty();
    }

    @Test
    void durationsAreShownAsAnOperatorWritesThem() {
        assertThat(TopicRetention.readable(Duration.ofDays(30))).isEqualTo("30d");
        assertThat(TopicRetention.readable(Duration.ofHours(36))).isEqualTo("36h");
        assertThat(TopicRetention.readable(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(TopicRetention.readable(Duration.ofMillis(1500))).isEqualTo("PT1.5S");
    }
}
