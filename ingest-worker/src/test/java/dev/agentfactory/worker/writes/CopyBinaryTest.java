package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLDataException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class CopyBinaryTest {

    private static String hex(CopyBinary data) {
        return HexFormat.of().formatHex(Arrays.copyOf(data.bytes(), data.size()));
    }

    private static String row(CopyBinary.Type type, Object value) throws SQLDataException {
        return hex(new CopyBinary(8).row(new CopyBinary.Type[] {type}, Arrays.asList(value)));
    }

    @Test
    void aStreamStartsWithTheSignatureAndNoFlagsAndEndsWithTheMinusOneFieldCount() {
        assertThat(hex(new CopyBinary(8).header().trailer()))
                .isEqualTo("5047434f50590aff0d0a00" + "00000000" + "00000000" + "ffff");
    }

    @Test
    void eachRowStartsWithItsFieldCountAndEachFieldWithItsLength() throws SQLDataException {
        CopyBinary.Type[] types = {CopyBinary.Type.INT8, CopyBinary.Type.TEXT};
        assertThat(hex(new CopyBinary(8).row(types, List.of(7L, "ab"))))
                .isEqualTo("0002" + "00000008" + "0000000000000007" + "00000002" + "6162");
    }

    @Test
    void nullIsLengthMinusOneAndTheEmptyStringIsLengthZero() throws SQLDataException {
        assertThat(row(CopyBinary.Type.TEXT, null)).isEqualTo("0001ffffffff");
        assertThat(row(CopyBinary.Type.TEXT, "")).isEqualTo("000100000000");
    }

    @Test
    void uuidsAreTheirSixteenBytesMostSignificantFirst() throws SQLDataException {
        assertThat(row(CopyBinary.Type.UUID, UUID.fromString("01234567-89ab-cdef-0011-223344556677")))
                .isEqualTo("0001" + "00000010" + "0123456789abcdef0011223344556677");
    }

    @Test
    void textIsUtf8WithNothingEscapedAndJsonbIsPrecededByItsFormatVersion() throws SQLDataException {
        assertThat(row(CopyBinary.Type.TEXT, "é\t\\")).isEqualTo("0001" + "00000004" + "c3a9" + "09" + "5c");
        assertThat(row(CopyBinary.Type.JSONB, "{}")).isEqualTo("0001" + "00000003" + "01" + "7b7d");
    }

    @Test
    void timestampsAreMicrosecondsSince2000RoundedHalfToEvenAsPostgresRoundsText() throws SQLDataException {
        assertThat(CopyBinary.micros(Instant.parse("2000-01-01T00:00:00Z"))).isZero();
        assertThat(CopyBinary.micros(Instant.parse("2000-01-01T00:00:01.000001Z"))).isEqualTo(1_000_001);
        assertThat(CopyBinary.micros(Instant.parse("1999-12-31T23:59:59.999999Z"))).isEqualTo(-1);
        assertThat(CopyBinary.micros(Instant.parse("2000-01-01T00:00:00.000000501Z"))).isEqualTo(1);
        assertThat(CopyBinary.micros(Instant.parse("2000-01-01T00:00:00.000000500Z"))).isZero();
        assertThat(CopyBinary.micros(Instant.parse("2000-01-01T00:00:00.000001500Z"))).isEqualTo(2);
        assertThat(CopyBinary.micros(Instant.parse("2000-01-01T00:00:00.000002500Z"))).isEqualTo(2);
        assertThat(CopyBinary.micros(Instant.parse("1999-12-31T23:59:59.999999500Z"))).isZero();
        assertThat(row(CopyBinary.Type.TIMESTAMPTZ, Instant.parse("2000-01-01T00:00:00.000256Z")))
                .isEqualTo("0001" + "00000008" + "0000000000000100");
    }

    @Test
    void instantsFromYear1ToYear9999AreSentAndOthersAreADataErrorAsTheirTextIsForPostgres() throws SQLDataException {
        assertThat(CopyBinary.micros(Instant.parse("0001-01-01T00:00:00Z"))).isEqualTo(-63_082_281_600_000_000L);
        assertThat(CopyBinary.micros(Instant.parse("9999-12-31T23:59:59.999999Z"))).isEqualTo(252_455_615_999_999_999L);
        // the last half microsecond of 9999 rounds into the year 10000, which the server's text input refuses too
        assertThat(CopyBinary.micros(Instant.parse("9999-12-31T23:59:59.9999994Z"))).isEqualTo(252_455_615_999_999_999L);
        for (String text : List.of("+10000-01-01T00:00:00Z", "9999-12-31T23:59:59.9999995Z",
                "0000-12-31T23:59:59.999999Z", "-4713-11-24T00:00:00Z",
                "+294276-12-31T00:00:00Z", "+1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z")) {
            Instant t = Instant.parse(text);
            assertThatThrownBy(() -> CopyBinary.micros(t)).as(text).isInstanceOf(SQLDataException.class)
                    .hasMessageContaining("timestamp out of range")
                    .satisfies(e -> assertThat(((SQLDataException) e).getSQLState()).isEqualTo("22008"));
        }
    }

    @Test
    void theBufferGrowsPastItsInitialCapacityKeepingWhatItHoldsAndIsReusedAfterClear() throws SQLDataException {
        String big = "x".repeat(10_000);
        CopyBinary.Type[] types = {CopyBinary.Type.INT8, CopyBinary.Type.TEXT};
        CopyBinary data = new CopyBinary(8).header();
        data.row(types, List.of(1L, big));
        assertThat(hex(data)).isEqualTo("5047434f50590aff0d0a00" + "00000000" + "00000000" + "0002" + "00000008"
                + "0000000000000001" + "00002710" + "78".repeat(10_000));
        data.clear();
        data.row(types, List.of(2L, "y"));
        assertThat(hex(data)).isEqualTo("0002" + "00000008" + "0000000000000002" + "00000001" + "79");
    }
}
