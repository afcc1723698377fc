package dev.agentfactory.ops.dlq;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import dev.agentfactory.contracts.DlqHeaders;
import dev.agentfactory.contracts.InvalidWriteException;

/**
 * Which dead letters to replay: by reason header and by when they were dead-lettered ([since, until)). A filter that
 * can match nothing is refused, as a usage error: a mistyped reason or swapped bounds would replay nothing and
 * exit 0, as if there were nothing to replay.
 */
record DlqFilter(String reason, Instant since, Instant until) {

    /** The reasons the worker writes in the reason header ({@code DeadLetterPublisher} writes only these). */
    static final List<String> REASONS = Arrays.stream(InvalidWriteException.Reason.values())
            .map(InvalidWriteException.Reason::wireName).toList();

    /** Every dead letter. */
    static final DlqFilter ALL = new DlqFilter(null, null, null);

    DlqFilter {
        if (reason != null && !REASONS.contains(reason)) {
            throw new IllegalArgumentException("--reason must be one of " + String.join(", ", REASONS) + ", got '"
                    + reason + "'");
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("--since must be before --until (dead letters from --since up to,"
                    + " not including, --until), got " + since + " and " + until);
        }
    }

    boolean matches(ConsumerRecord<?, ?> r) {
        if (reason != null && !reason.equals(header(r, DlqHeaders.REASON))) {
            return false;
        }
        Instant failedAt = failedAt(r);
        return (since == null || !failedAt.isBefore(since)) && (until == null || failedAt.isBefore(until));
    }

    /** The failed-at header, else the DLQ record's own timestamp. */
    private static Instant failedAt(ConsumerRecord<?, ?> r) {
        String h = header(r, DlqHeaders.FAILED_AT);
        try {
            return h != null ? Instant.parse(h) : Instant.ofEpochMilli(r.timestamp());
        } catch (DateTimeParseException e) {
            return Instant.ofEpochMilli(r.timestamp());
        }
    }

    static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "reason=" + (reason == null ? "any" : reason) + ", since=" + (since == null ? "-" : since)
                + ", until=" + (until == null ? "-" : until);
    }
}
