package dev.agentfactory.gateway.http;

import java.time.Instant;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.store.ListFilter;

/** The list query parameters shared by agents and PRDs, checked and turned into a store filter. */
public final class ListParams {

    private static final int MAX_TEXT = 200;

    private ListParams() {
    }

    public static ListFilter filter(String updatedSince, String q, String sort) {
        if (q != null && q.length() > MAX_TEXT) {
            throw ApiProblem.badRequest("bad-parameter", "q must have at most " + MAX_TEXT + " characters");
        }
        storable(q, "q");
        boolean ascending;
        if (sort == null || sort.isBlank() || sort.equals("-updatedAt")) {
            ascending = false;
        } else if (sort.equals("updatedAt")) {
            ascending = true;
        } else {
            throw ApiProblem.badRequest("bad-parameter", "sort must be updatedAt (oldest first) or -updatedAt (newest first)");
        }
        Instant since = Paging.instant(updatedSince, "updatedSince", null);
        return new ListFilter(since, q, ascending);
    }

    /**
     * Refuses text PostgreSQL cannot hold (U+0000): the driver would fail the query, and that failure must not
     * be answered as the database being unavailable.
     */
    public static void storable(String text, String name) {
        if (text != null && text.indexOf('\0') >= 0) {
            throw ApiProblem.badRequest("bad-parameter", name + " must not contain the NUL character");
        }
    }

    /**
     * A status filter parsed with the entity's own enum; null when absent. The refusal names the enum's
     * values as they are stored, so it stays true when a status is added.
     */
    public static <S> S status(String value, Function<String, S> parse, S[] all, Function<S, String> stored) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("bad-parameter", "status must be one of "
                    + Arrays.stream(all).map(stored).collect(Collectors.joining(", ")));
        }
    }
}
