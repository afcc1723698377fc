package dev.agentfactory.ops.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.ops.cli.KafkaClients;
import dev.agentfactory.ops.cli.OpsException;

class TopicRetentionTest {

    /** A topic with the broker's default segment.ms (7 days). */
    private static TopicRetention.Kept days(String topic, int days) {
        return new TopicRetention.Kept(topic, Duration.ofDays(days), Duration.ofDays(7), false);
    }

    @Test
    void anAgeLongerThanTheDlqsAndTheLongestWriteTopicsHorizonsAddedUpIsSafe() {
        // horizons: w 14d, w2 15d (retention.ms plus segment.ms), dlq 15d
        assertThat(TopicRetention.refusal(Duration.ofDays(30).plusMillis(1), List.of(days("w", 7), days("w2", 8)),
                days("dlq", 8))).isNull();
    }

    @Test
    void anAgeWithinARetentionPlusItsSegmentTimeIsRefusedNamingThatTopic() {
        // A segment rolls after segment.ms and is deleted once its newest record is older than retention.ms: a
        // record of a 7d topic can still be there after 10 days.
        assertThat(TopicRetention.refusal(Duration.ofDays(10), List.of(days("w", 7)), days("dlq", 1)))
                .contains("topic w (up to 14d: retention.ms 604800000 = 7d plus segment.ms 604800000 = 7d)");
        assertThat(TopicRetention.refusal(Duration.ofDays(30), List.of(days("w", 7), days("w2", 8)), days("dlq", 8)))
                .contains("topic w2").contains("topic dlq").contains("applied a second time");
    }

    @Test
    void aDeadLetterReplayedIntoAWriteTopicCanOutliveEitherRetention() {
        // The DLQ keeps a dead letter up to 14d; ops dlq-replay then re-publishes it, and the write topic keeps that
        // copy another 14d from the replay: an event whose outcome was recorded by an earlier replay of the same dead
        // letter can be read again (an offset reset of the write topic) up to 28d after that outcome.
        assertThat(TopicRetention.refusal(Duration.ofDays(20), List.of(days("w", 7)), days("dlq", 7)))
                .contains("--older-than 20d is not longer than a record can stay where the worker can read it again,"
                        + " 28d: topic dlq (up to 14d").contains("topic w (up to 14d");
        assertThat(TopicRetention.refusal(Duration.ofDays(28).plusMillis(1), List.of(days("w", 7)), days("dlq", 7)))
                .isNull();
    }

    @Test
    void aTopicKeptForeverRefusesEveryAge() {
        assertThat(TopicRetention.refusal(Duration.ofDays(36_500), List.of(days("w", 7)),
                new TopicRetention.Kept("dlq", Duration.ZERO, Duration.ofDays(7), true)))
                .contains("topic dlq (kept forever)");
        assertThat(TopicRetention.refusal(Duration.ofDays(36_500),
                List.of(new TopicRetention.Kept("w", Duration.ZERO, Duration.ofDays(7), true)), days("dlq", 7)))
                .contains("topic w (kept forever)");
    }

    @Test
    void aRetentionOfLongMaxMillisecondsIsRefusedWithAReasonNotAnOverflow() {
        // retention.ms=9223372036854775807 is the usual "keep for ever" that is not -1; plus segment.ms it is more
        // milliseconds than a long holds.
        assertThat(TopicRetention.refusal(Duration.ofDays(30), List.of(days("w", 7)),
                new TopicRetention.Kept("dlq", Duration.ofMillis(Long.MAX_VALUE), Duration.ofDays(7), false)))
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

    @Test
    void settingsThatCannotBuildAKafkaClientAreARefusalNotACrash() {
        // The services' SASL settings reach the admin client: without a JAAS configuration it cannot be built.
        KafkaClients sasl = new KafkaClients("127.0.0.1:1", Map.of("security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN"));

        assertThatThrownBy(() -> new TopicRetention(sasl, Duration.ofSeconds(1)).of(List.of("factory.writes.dlq.v1")))
                .isInstanceOf(OpsException.class).hasMessageContaining("cannot read the retention of")
                .hasMessageContaining("security.protocol").hasMessageContaining("JAAS");
    }
}
