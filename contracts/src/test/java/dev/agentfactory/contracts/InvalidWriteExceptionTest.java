package dev.agentfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.InvalidWriteException.Reason;

/** A reason quoting a long bad value is cut to fit the DLQ's header, and never between a surrogate pair's halves. */
class InvalidWriteExceptionTest {

    @Test
    void aLongMessageIsCutWithoutSplittingASurrogatePair() {
        for (int shift = 0; shift < 2; shift++) {
            String message = "x".repeat(shift) + "\uD83D\uDE00".repeat(600);   // an emoji is two chars
            String cut = new InvalidWriteException(Reason.INVALID_ID, message).getMessage();

            assertThat(cut).hasSizeLessThanOrEqualTo(InvalidWriteException.MAX_MESSAGE_CHARS).endsWith("…[cut]");
            String kept = cut.substring(0, cut.length() - "…[cut]".length());
            assertThat(new String(kept.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).as("shift " + shift)
                    .isEqualTo(kept);
        }
    }

    @Test
    void aShortMessageIsKept() {
        assertThat(new InvalidWriteException(Reason.INVALID_ID, "eventId is no UUID").getMessage())
                .isEqualTo("eventId is no UUID");
    }

    /** The DLQ's reason header is what {@code ops dlq-replay} selects by: in a Turkish locale, I lower-cased to ı. */
    @Test
    void theWireNamesOfReasonsAreTheSameInATurkishLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            assertThat(Arrays.stream(Reason.values()).map(Reason::wireName)).containsExactly("malformed_json",
                    "schema_violation", "unknown_type", "oversized", "invalid_id", "wrong_key", "wrong_topic");
        } finally {
            Locale.setDefault(before);
        }
    }
}
