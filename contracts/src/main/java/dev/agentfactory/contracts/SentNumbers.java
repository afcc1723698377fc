package dev.agentfactory.contracts;

import java.math.BigDecimal;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * How many characters writing a record's numbers out as PostgreSQL stores them adds to the record, measured against
 * each number's text as sent: {@code 0.05} adds none, {@code 1e-4} adds 2 ({@code 0.0001}), {@code 1e999} adds 995.
 * A second pass over the record's bytes, so {@link FreeFormJson} takes it only when its estimate from the parsed
 * values alone (which cannot tell {@code 0.0001} from {@code 1e-4}, and assumes the shortest spelling) is over the
 * budget: the worker's hot path parses each record once.
 */
final class SentNumbers {

    private SentNumbers() {
    }

    /** The characters all the record's fractional and exponent numbers gain (negative if they shrink on the whole). */
    static long growth(byte[] record) {
        long growth = 0;
        try (JsonParser p = WriteCodec.MAPPER.createParser(record)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                // integers are stored as sent; only a fraction or an exponent can be written out longer
                if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                    growth += storedLength(p.getDecimalValue()) - p.getStringLength();
                }
            }
        }
        return growth;
    }

    /** The characters of {@code d} as jsonb prints it: no exponent, a fraction's digits kept, {@code 0e5} as 0. */
    static long storedLength(BigDecimal d) {
        if (d.signum() == 0 && d.scale() < 0) {
            return 1;
        }
        long scale = d.scale();
        long sign = d.signum() < 0 ? 1 : 0;
        long integerDigits = Math.max(d.precision() - scale, 1);
        return sign + integerDigits + (scale > 0 ? 1 + scale : 0);
    }
}
