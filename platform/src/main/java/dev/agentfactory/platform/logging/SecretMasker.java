package dev.agentfactory.platform.logging;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Blanks secrets out of log text: the value of every configured property whose name says it is a
 * secret (database passwords, the JWT secret, tokens), and credentials embedded in URLs. The apps
 * must never log a secret in the first place; this is the backstop for the line that slips through,
 * e.g. a driver exception quoting a connection string.
 */
final class SecretMasker {

    static final String MASK = "******";

    /** Shorter values would blank out ordinary words; a secret that short is not one anyway. */
    static final int MIN_SECRET_LENGTH = 4;

    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(password|passwd|secret|token|credential|jaas|private[-_.]?key|api[-_.]?key).*");
    private static final Pattern URL_USER_INFO = Pattern.compile("(://[^:/@\\s]*:)[^@/\\s]+@");
    // Redis clients (Lettuce, Spring Boot's redis URL) read a user-info without a colon as the password alone.
    private static final Pattern REDIS_LONE_PASSWORD = Pattern.compile("(?i)(rediss?(?:-sentinel)?://)[^:/@\\s]+@");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)[^&;,\\s\"]+");

    private final List<String> secrets;

    SecretMasker(Set<String> secrets) {
        // Longest first, so a secret that contains another is blanked whole.
        this.secrets = secrets.stream()
                .filter(secret -> secret.length() >= MIN_SECRET_LENGTH)
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }

    /** The values of the secret-named properties of every enumerable property source. */
    static SecretMasker from(Environment environment) {
        Set<String> secrets = new LinkedHashSet<>();
        if (environment instanceof ConfigurableEnvironment configurable) {
            for (PropertySource<?> source : configurable.getPropertySources()) {
                if (source instanceof EnumerablePropertySource<?> enumerable) {
                    Arrays.stream(enumerable.getPropertyNames())
                            .filter(name -> SECRET_NAME.matcher(name).matches())
                            .forEach(name -> addResolved(environment, name, secrets));
                }
            }
        }
        return new SecretMasker(secrets);
    }

    private static void addResolved(Environment environment, String name, Set<String> secrets) {
        try {
            String value = environment.getProperty(name);
            if (value != null && !value.isBlank()) {
                secrets.add(value);
            }
        } catch (IllegalArgumentException | IllegalStateException unresolvable) {
            // a placeholder without a value cannot leak anything
        }
    }

    String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = text;
        for (String secret : secrets) {
            masked = masked.replace(secret, MASK);
        }
        masked = URL_USER_INFO.matcher(masked).replaceAll("$1" + MASK + "@");
        masked = REDIS_LONE_PASSWORD.matcher(masked).replaceAll("$1" + MASK + "@");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
    }
}
