package dev.agentfactory.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class TraceContextFilterTest {

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    /**
     * The header is the client's: a span id of 20 decimal digits above 2^64 - 1 must not fail the request
     * (the filter runs before every endpoint, health included) nor leave the trace id in the thread's MDC.
     */
    @Test
    void aCloudTraceSpanIdBeyondUnsigned64BitsKeepsTheTraceAndDropsTheSpan() {
        boolean traced = TraceContextFilter.putTrace(null, "105445aa7843bc8bf206b12000100000/99999999999999999999;o=1");

        assertThat(traced).isTrue();
        assertThat(MDC.get(CloudLoggingFormatter.TRACE_ID)).isEqualTo("105445aa7843bc8bf206b12000100000");
        assertThat(MDC.get(CloudLoggingFormatter.SPAN_ID)).isNull();
    }

    @Test
    void theLargestUnsigned64BitSpanIdBecomesSixteenHexDigits() {
        TraceContextFilter.putTrace(null, "105445aa7843bc8bf206b12000100000/18446744073709551615");

        assertThat(MDC.get(CloudLoggingFormatter.SPAN_ID)).isEqualTo("ffffffffffffffff");
    }
}
