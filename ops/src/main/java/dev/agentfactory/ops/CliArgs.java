package dev.agentfactory.ops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} options of an ops command, with environment fallbacks. Unknown options are an
 * error (a typo must not silently replay everything).
 */
public final class CliArgs {

    private final Map<String, String> options = new HashMap<>();
    private final Map<String, String> env;

    private CliArgs(Map<String, String> env) {
        this.env = env;
    }

    /** @throws IllegalArgumentException with a message for the user */
    public static CliArgs parse(List<String> args, Set<String> allowed, Map<String, String> env) {
        CliArgs parsed = new CliArgs(env);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || !allowed.contains(a.substring(2))) {
                throw new IllegalArgumentException("unknown option '" + a + "' (allowed: --" + String.join(", --", allowed) + ")");
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            parsed.options.put(a.substring(2), args.get(++i));
        }
        return parsed;
    }

    public String get(String name) {
        return options.get(name);
    }

    /** The option, else the environment variable, else the default. */
    public String get(String name, String envVar, String fallback) {
        String v = options.get(name);
        if (v == null) {
            v = env.get(envVar);
        }
        return v == null || v.isBlank() ? fallback : v;
    }
}
