package dev.agentfactory.ops.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.DlqHeaders;

/** A dead letter's replay count, as the next replay reads it: no header, or one no number, must not stop a recovery. */
class DlqReplayerTest {

    @Test
    void aReplayCountIsReadAsANumberAndAnythingElseAsNever() {
        assertThat(DlqReplayer.replayCount(deadLetter())).isZero();
        assertThat(DlqReplayer.replayCount(deadLetter("2"))).isEqualTo(2);
        assertThat(DlqReplayer.replayCount(deadLetter(" 3 "))).isEqualTo(3);
        assertThat(DlqReplayer.replayCount(deadLetter("many"))).isZero();
        assertThat(DlqReplayer.replayCount(deadLetter("-4"))).isZero();
        assertThat(DlqReplayer.replayCount(deadLetter("99999999999"))).as("no wrap to negative")
                .isEqualTo(Integer.MAX_VALUE - 1);
        ConsumerRecord<byte[], byte[]> nullValued = deadLetter();
        nullValued.headers().add(DlqHeaders.REPLAY_COUNT, null);
        assertThat(DlqReplayer.replayCount(nullValued)).isZero();
    }

    private static ConsumerRecord<byte[], byte[]> deadLetter(String... counts) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("dlq", 0, 0L, null, new byte[] {'{'});
        for (String c : counts) {
            r.headers().add(DlqHeaders.REPLAY_COUNT, c.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }
}
