package dev.agentfactory.platform.logging;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the trace of an incoming request into the MDC ({@code traceId}, {@code spanId}, the keys
 * Micrometer Tracing uses), so every log line of the request carries Cloud Logging's trace fields
 * and sits under the request in the Logs Explorer. Cloud Run's front end sends the W3C
 * {@code traceparent} header and the older {@code X-Cloud-Trace-Context}; without a tracer in the
 * app nothing else reads them.
 */
class TraceContextFilter extends OncePerRequestFilter {

    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
    /** {@code TRACE_ID/SPAN_ID;o=OPTIONS}, the span id in decimal. */
    private static final Pattern CLOUD_TRACE = Pattern.compile("([0-9a-fA-F]{32})(?:/([0-9]{1,20}))?(?:;.*)?");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean traced = putTrace(request.getHeader("traceparent"), request.getHeader("X-Cloud-Trace-Context"));
        try {
            chain.doFilter(request, response);
        } finally {
            if (traced) {
                MDC.remove(CloudLoggingFormatter.TRACE_ID);
                MDC.remove(CloudLoggingFormatter.SPAN_ID);
            }
        }
    }

    static boolean putTrace(String traceparent, String cloudTraceContext) {
        if (traceparent != null) {
            Matcher w3c = TRACEPARENT.matcher(traceparent.strip());
            if (w3c.matches()) {
                MDC.put(CloudLoggingFormatter.TRACE_ID, w3c.group(1));
                MDC.put(CloudLoggingFormatter.SPAN_ID, w3c.group(2));
                return true;
            }
        }
        if (cloudTraceContext != null) {
            Matcher cloud = CLOUD_TRACE.matcher(cloudTraceContext.strip());
            if (cloud.matches()) {
                MDC.put(CloudLoggingFormatter.TRACE_ID, cloud.group(1).toLowerCase(java.util.Locale.ROOT));
                String span = cloud.group(2) == null ? null : spanHex(cloud.group(2));
                if (span != null) {
                    MDC.put(CloudLoggingFormatter.SPAN_ID, span);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Cloud Logging wants the span id as 16 hex digits; the header carries an unsigned 64-bit decimal. The
     * header comes from the client too: a value beyond 64 bits is dropped rather than failing the request.
     */
    private static String spanHex(String decimal) {
        try {
            return String.format("%016x", Long.parseUnsignedLong(decimal));
        } catch (NumberFormatException beyond64Bits) {
            return null;
        }
    }
}
