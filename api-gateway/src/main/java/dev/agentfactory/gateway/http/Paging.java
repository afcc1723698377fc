package dev.agentfactory.gateway.http;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import org.springframework.stereotype.Component;

import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.store.Cursor;

/**
 * Checks the paging and filter parameters clients send before any of them reaches a query: a page size
 * within limits, a cursor that decodes to the position kind the list uses, ISO-8601 instants.
 */
@Component
public class Paging {

    /**
     * The instants a filter may name: four-digit years. PostgreSQL's timestamptz ends in 294276 AD, and a
     * value past it fails the query with an error the gateway must not report as the database being down.
     */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private final int defaultSize;
    private final int maxSize;

    Paging(GatewayProperties props) {
        this.defaultSize = props.defaultPageSize();
        this.maxSize = props.maxPageSize();
    }

    public int limit(Integer requested) {
        if (requested == null) {
            return defaultSize;
        }
        if (requested < 1 || requested > maxSize) {
            throw ApiProblem.badRequest("bad-limit", "limit must be between 1 and " + maxSize);
        }
        return requested;
    }

    /** A cursor whose key is a uuid: an entity list's {@code (updated_at, id)}, an agent's links' PRD id. */
    public static String entityCursor(String token) {
        return check(token, true);
    }

    /** A cursor of a numbered list (versions, audit entries). */
    public static String numberCursor(String token) {
        return check(token, false);
    }

    public static long afterSeq(String token) {
        if (token == null || token.isBlank()) {
            return 0;
        }
        try {
            long seq = Long.parseLong(token);
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw badCursor();
    }

    public static Instant instant(String value, String name, Instant fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            Instant at = Instant.parse(value);
            if (!at.isBefore(EARLIEST) && !at.isAfter(LATEST)) {
                return at;
            }
        } catch (DateTimeParseException e) {
            // answered below
        }
        throw ApiProblem.badRequest("bad-parameter", name + " must be an ISO-8601 instant between the years 0001 and"
                + " 9999, such as 2026-01-31T12:00:00Z");
    }

    private static String check(String token, boolean uuid) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            Cursor c = Cursor.decode(token);
            if (uuid) {
                c.uuid();
            } else {
                c.number();
            }
            return token;
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
    }

    private static ApiProblem badCursor() {
        return ApiProblem.badRequest("bad-cursor", "cursor is not one this API issued; start again without it");
    }
}
