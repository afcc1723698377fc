package dev.agentfactory.gateway.http;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;

import dev.agentfactory.gateway.problem.ApiProblem;

/**
 * The conditional and preference headers of the API: {@code ETag}/{@code If-None-Match} on reads,
 * {@code If-Match} → expectedVersion and {@code Prefer: wait=N} on writes. An entity's ETag is its
 * version, quoted and strong: {@code "7"}.
 */
public final class Preconditions {

    private static final Pattern ETAG = Pattern.compile("^\\s*(W/)?\"(\\d{1,18})\"\\s*$");
    private static final Pattern WAIT = Pattern.compile("(?:^|[;,\\s])wait\\s*=\\s*(\\d{1,6})(?:$|[;,\\s])");

    private Preconditions() {
    }

    public static String etag(long version) {
        return "\"" + version + "\"";
    }

    /** Whether an {@code If-None-Match} header names this version (or is {@code *}). */
    public static boolean notModified(String ifNoneMatch, long version) {
        if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.equals("*") || t.equals(etag(version)) || t.equals("W/" + etag(version))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The expected version of an {@code If-Match: "N"} header; null without one or with {@code *} ("the entity
     * must exist", which every write but a create requires anyway). If-Match compares strongly (RFC 9110
     * §13.1.1), so a weak tag never matches: 412. A list of tags is not supported: 400.
     */
    public static Long expectedVersion(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return null;
        }
        Matcher m = ETAG.matcher(ifMatch);
        if (!m.matches()) {
            throw ApiProblem.badRequest("bad-if-match", ifMatch.contains(",")
                    ? "If-Match with a list of entity tags is not supported: send one, \"<version>\", or *"
                    : "If-Match must be one entity tag of the form \"<version>\", or *");
        }
        if (m.group(1) != null) {
            throw new ApiProblem(HttpStatus.PRECONDITION_FAILED, "precondition-failed",
                    "If-Match compares entity tags strongly: a weak tag never matches; send the ETag \"<version>\"");
        }
        return Long.parseLong(m.group(2));
    }

    /**
     * The answer to a write the worker refused as CONFLICT (the expected version did not match, or the
     * entity is deleted): 410 {@code deleted} for a deleted entity, with or without {@code If-Match}, as a
     * read answers; else 412 {@code precondition-failed} when the write carried {@code If-Match}, 409
     * {@code conflict} when it did not.
     *
     * <p>Deletion wins over If-Match per RFC 9110: If-Match is evaluated against the target's current
     * representation (§13.1.1), which a deleted entity no longer has, and a server must ignore preconditions
     * when the same request without them would fail anyway (§13.2.1). A 412 would tell the client to refetch
     * and retry; the refetch answers 410 and no retry can succeed.
     *
     * @param deletedAt when the entity was deleted, null while it is live
     */
    public static ApiProblem writeConflict(String what, boolean ifMatch, Long currentVersion, Instant deletedAt,
                                           String reason) {
        if (deletedAt != null) {
            return EntityResponses.gone(what, currentVersion, deletedAt);
        }
        ApiProblem p = ifMatch
                ? new ApiProblem(HttpStatus.PRECONDITION_FAILED, "precondition-failed",
                        "If-Match did not match the current version of " + what)
                : new ApiProblem(HttpStatus.CONFLICT, "conflict",
                        reason == null || reason.isBlank() ? what + " changed" : reason);
        return p.with("currentVersion", currentVersion);
    }

    /** The wait a {@code Prefer} header asks for, capped at {@code max}; zero without one. */
    public static Duration wait(String prefer, Duration max) {
        if (prefer == null) {
            return Duration.ZERO;
        }
        Matcher m = WAIT.matcher(prefer);
        if (!m.find()) {
            return Duration.ZERO;
        }
        Duration asked = Duration.ofSeconds(Long.parseLong(m.group(1)));
        return asked.compareTo(max) > 0 ? max : asked;
    }
}
