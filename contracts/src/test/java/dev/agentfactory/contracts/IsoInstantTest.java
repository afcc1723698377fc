package dev.agentfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class IsoInstantTest {

    private static final long YEAR_1 = -62_135_596_800L;
    private static final long YEAR_10000 = 253_402_300_800L;

    @Test
    void formatsExactlyAsInstantToStringAndParsesBackToTheSameInstantInTheYears1To9999() {
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
            if (seconds >= YEAR_1 && seconds < YEAR_10000) {
                assertThat(IsoInstant.parse(text)).isEqualTo(t);
            } else { // +10000-…, -0001-…: not RFC 3339; 0000-…: outside the years PostgreSQL takes
                assertThatThrownBy(() -> IsoInstant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            }
        }
    }

    /** Off the fast path, each to the instant it names, worked out without parsing text. */
    @Test
    void parsesRfc3339FormsOffTheFastPathToTheInstantTheyName() {
        Map<String, Instant> cases = new LinkedHashMap<>();
        cases.put("2026-11-27t03:53:46z", at(2026, 11, 27, 3, 53, 46, 0, ZoneOffset.UTC));
        cases.put("2026-11-27T03:53:46+01:00", at(2026, 11, 27, 3, 53, 46, 0, ZoneOffset.ofHours(1)));
        cases.put("2026-11-27T03:53:46.5-02:30", at(2026, 11, 27, 3, 53, 46, 500_000_000, ZoneOffset.ofHoursMinutes(-2, -30)));
        cases.put("2026-11-27T03:53:46.123456789+05:45", at(2026, 11, 27, 3, 53, 46, 123_456_789,
                ZoneOffset.ofHoursMinutes(5, 45)));
        cases.put("2026-11-27T03:53:46-00:00", at(2026, 11, 27, 3, 53, 46, 0, ZoneOffset.UTC));
        cases.put("1969-12-31T23:59:59.999999999Z", Instant.ofEpochSecond(-1, 999_999_999));
        cases.put("0001-01-01T00:00:00Z", at(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
        cases.put("9999-12-31T23:59:59.999999999Z", at(9999, 12, 31, 23, 59, 59, 999_999_999, ZoneOffset.UTC));
        // a leap second, read as the JDK reads it: the second before
        cases.put("2016-12-31T23:59:60Z", at(2016, 12, 31, 23, 59, 59, 0, ZoneOffset.UTC));
        cases.put("2016-12-31T23:59:60.5Z", at(2016, 12, 31, 23, 59, 59, 500_000_000, ZoneOffset.UTC));
        cases.forEach((text, instant) -> assertThat(IsoInstant.parse(text)).as(text).isEqualTo(instant));
    }

    @Test
    void refusesWhatIsNotRfc3339ThoughInstantParseTakesIt() {
        for (String text : new String[] {"2026-11-27T24:00:00Z", "2026-11-27T03:53:46.Z", "+10000-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z", "2026-11-27T03:53:46+01:00:30",
                "2026-11-27T03:53:46.1+01:00:30"}) {
            assertThat(Instant.parse(text)).as(text).isNotNull();
            assertThatThrownBy(() -> IsoInstant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }

    @Test
    void refusesADateTimeWhoseOffsetMovesItOutOfTheYears1To9999AndTheYear0() {
        for (String text : new String[] {"9999-12-31T23:30:00-01:00", "0001-01-01T00:30:00+01:00",
                "0000-03-01T00:00:00Z", "0000-12-31T23:59:59.999999999Z"}) {
            assertThat(Instant.parse(text)).as(text).isNotNull();
            assertThatThrownBy(() -> IsoInstant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class)
                    .hasMessageContaining("outside the years 0001 to 9999");
        }
        assertThat(IsoInstant.parse("9999-12-31T23:30:00+01:00")).isEqualTo(at(9999, 12, 31, 22, 30, 0, 0, ZoneOffset.UTC));
    }

    @Test
    void refusesWhatInstantParseRefusesWithItsException() {
        for (String text : new String[] {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-27T03:5a:46Z",
                "2026-11-27 03:53:46Z", "2026-11-27T03:53:46", "+2026-11-27T03:53:46Z", "2026-11-27T12:00:60Z", "2026-11-27T00:59:60+01:00",
                "2026-11-27T03:53:46.1234567890Z", "2026-11-27T03:53:46+0100", "2026-11-27T03:53:46+19:00",
                "yesterday", ""}) {
            assertThatThrownBy(() -> Instant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> IsoInstant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }

    private static Instant at(int year, int month, int day, int hour, int minute, int second, int nano,
                              ZoneOffset offset) {
        return LocalDateTime.of(year, month, day, hour, minute, second, nano).toInstant(offset);
    }
}
