package dev.agentfactory.ops.prune;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class TopicRetentionTest {

    private static TopicRetention.Kept days(String topic, int days) {
        return new TopicRetention.Kept(topic, Duration.ofDays(days), false);
    }

    @Test
    void anAgeLongerThanTheLongestRetentionIsSafe() {
        assertThat(TopicRetention.refusal(Duration.ofDays(8).plusMillis(1),
                List.of(days("w", 7), days("dlq", 8)))).isNull();
    }

    @Test
    void anAgeNotLongerThanTheLongestRetentionIsRefusedNamingThatTopic() {
        assertThat(TopicRetention.refusal(Duration.ofDays(8), List.of(days("w", 7), days("dlq", 8))))
                .contains("topic dlq").contains("applied a second time");
        assertThat(TopicRetention.refusal(Duration.ofDays(2), List.of(days("w", 7), days("dlq", 1))))
                .contains("topic w");
    }

    @Test
    void aTopicKeptForeverRefusesEveryAge() {
        assertThat(TopicRetention.refusal(Duration.ofDays(36_500),
                List.of(days("w", 7), new TopicRetention.Kept("dlq", Duration.ZERO, true))))
                .contains("topic dlq (kept forever)");
    }

    @Test
    void durationsAreShownAsAnOperatorWritesThem() {
        assertThat(TopicRetention.readable(Duration.ofDays(30))).isEqualTo("30d");
        assertThat(TopicRetention.readable(Duration.ofHours(36))).isEqualTo("36h");
        assertThat(TopicRetention.readable(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(TopicRetention.readable(Duration.ofMillis(1500))).isEqualTo("PT1.5S");
    }
}
