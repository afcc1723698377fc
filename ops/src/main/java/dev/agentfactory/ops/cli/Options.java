package dev.agentfactory.ops.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name=value} options of one ops command. Unknown options are an error, so a mistyped flag
 * is never silently ignored during an incident.
 */
public final class Options {

    private final Map<String, String> values = new HashMap<>();

    private Options() {
    }

    public static Options parse(List<String> args, Set<String> allowed) {
        Options o = new Options();
        for (String a : args) {
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
            if (!allowed.contains(name)) {
                throw new UsageException("unknown option --" + name + " (allowed: --" + String.join(", --", allowed) + ")");
            }
            o.values.put(name, eq < 0 ? "true" : a.substring(eq + 1));
        }
        return o;
    }

    /** The option's value, or {@code fallback} when it is not given; given but blank is refused ({@link #value}). */
    public String get(String name, String fallback) {
        String v = value(name);
        return v == null ? fallback : v;
    }

    /** The option's value, or null when it is not given; given but blank is refused ({@link #value}). */
    public String optional(String name) {
        return value(name);
    }

    public String required(String name) {
        String v = value(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    /** The option, else the environment variable, else the fallback. */
    public String get(String name, Map<String, String> env, String envVar, String fallback) {
        String v = get(name, null);
        if (v == null) {
            v = env.get(envVar);
        }
        return v == null || v.isBlank() ? fallback : v;
    }

    /**
     * The option's value, or null when it is not given. Given but blank is refused, never read as "not given":
     * {@code --right="$STANDBY_URL"} with the variable unset would otherwise compare the primary with the default
     * standby and pass a restore drill, and {@code --reason=""} would replay every reason's dead letters.
     */
    private String value(String name) {
        String v = values.get(name);
        if (v != null && v.isBlank()) {
            throw new UsageException("--" + name + " is given but empty (an unset variable?)");
        }
        return v;
    }

    /** {@code --name} or {@code --name=true} is on, absent or {@code --name=false} off; anything else is refused. */
    public boolean flag(String name) {
        String v = value(name);
        v = v == null ? "false" : v;
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new UsageException("--" + name + " is true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    public int intValue(String name, int fallback) {
        String v = value(name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    /** ISO-8601 durations (PT15M, P30D) or the short forms 90s, 15m, 12h, 30d. */
    public Duration duration(String name, Duration fallback) {
        String v = value(name);
        if (v == null) {
            return fallback;
        }
        try {
            if (v.matches("\\d+[smhd]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return v.startsWith("P") && v.contains("D") && !v.contains("T") ? Duration.ofDays(
                    Long.parseLong(v.substring(1, v.indexOf('D')))) : Duration.parse(v);
        } catch (RuntimeException e) {
            throw new UsageException("--" + name + " must be a duration like 30d or PT15M, got '" + v + "'");
        }
    }

    public Instant instant(String name) {
        String v = value(name);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (RuntimeException e) {
            throw new UsageException("--" + name + " must be an ISO-8601 instant like 2026-01-01T12:00:00Z");
        }
    }
}
