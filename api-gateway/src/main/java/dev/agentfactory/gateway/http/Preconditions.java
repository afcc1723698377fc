package dev.agentfactory.gateway.http;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.agentfactory.gateway.problem.ApiProblem;

/**
 * The conditional and preference headers of the API: {@code ETag}/{@code If-None-Match} on reads,
 * {@code If-Match} → expectedVersion and {@code Prefer: wait=N} on writes. An entity's ETag is its
 * version, quoted and strong: {@code "7"}.
 */
public final class Preconditions {

    private static final Pattern ETAG = Pattern.compile("^\\s*(?:W/)?\"(\\d{1,18})\"\\s*$");
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

    /** The expected version of an {@code If-Match: "N"} header; null without one. */
    public static Long expectedVersion(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return null;
        }
        Matcher m = ETAG.matcher(ifMatch);
        if (!m.matches()) {
            throw ApiProblem.badRequest("bad-if-match", "If-Match must be one entity tag of the form \"<version>\"");
        }
        return Long.parseLong(m.group(1));
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
