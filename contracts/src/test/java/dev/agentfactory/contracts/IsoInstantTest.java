package dev.agentfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class IsoInstantTest {

    @Test
    void formatsExactlyAsInstantToStringAndParsesBackToTheSameInstant() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(-100_000_000_000L, 300_000_000_000L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(seconds, nano);
            String text = IsoInstant.format(t);
            assertThat(text).isEqualTo(t.toString());
            assertThat(IsoInstant.parse(text)).isEqualTo(t);
        }
    }

    @Test
    void parsesWhatInstantParseAcceptsBeyondTheCanonicalForm() {
        for (String text : new String[] {"2026-11-27T03:53:46.1Z", "2026-11-27T03:53:46.12345Z", "2026-11-27t03:53:46z",
                "2026-11-27T03:53:46+01:00", "1969-12-31T23:59:59Z", "2024-02-29T00:00:00Z", "0001-01-01T00:00:00Z",
                "2026-11-27T24:00:00Z", "2026-11-27T23:59:60Z", "2026-11-27T03:53:46.Z"}) {
            assertThat(IsoInstant.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void refusesWhatInstantParseRefusesWithItsException() {
        for (String text : new String[] {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", 
                "2026-11-27T03:5a:46Z", "2026-11-27 03:53:46Z", "yesterday", ""}) {
            assertThatThrownBy(() -> IsoInstant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }
}
