package dev.agentfactory.platform.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

import dev.agentfactory.platform.PlatformEnvironmentDefaults;

/**
 * What the deployment files must agree with, read from an app itself: its port (the default of
 * {@code server.port}), the environment variables its application.yml and sources read, the
 * health paths it serves and the components of each health group it declares, with platform's
 * defaults applied as at run time.
 */
record AppFacts(String module, int port, Set<String> envNames, Set<String> healthPaths,
                Map<String, Set<String>> healthGroups) {

    static final List<String> SERVICES = List.of("api-gateway", "ingest-worker", "cdc-relay");

    /**
     * The variables a deployment must set when the app reads them: where the database, broker and cache
     * are, who to connect as, and the token secret. Their defaults point at the local stack, so leaving
     * one out would quietly aim a deployment at 127.0.0.1. Tunables (topics, batch sizes, timeouts) keep
     * their defaults unless a deployment has a reason to set them.
     */
    private static final Pattern MUST_SET = Pattern.compile(
            "PORT|FACTORY_DB_URL|FACTORY_DB_[A-Z]+_(USER|PASSWORD)|FACTORY_STANDBY_DB_(URL|USER|PASSWORD)"
                    + "|FACTORY_KAFKA_BOOTSTRAP|FACTORY_REDIS_URL|FACTORY_JWT_(SECRET|AUDIENCE)");

    /** Of the variables the app reads, those a deployment must set (see {@link #MUST_SET}). */
    Set<String> requiredEnvNames() {
        return required(envNames);
    }

    static Set<String> required(Set<String> names) {
        Set<String> required = new TreeSet<>(names);
        required.removeIf(name -> !MUST_SET.matcher(name).matches());
        return required;
    }

    /** Variables the design names for apps still being built; drop an entry once the app reads it. */
    static Set<String> announced(String module) {
        return switch (module) {
            case "api-gateway" -> Set.of("FACTORY_JWT_SECRET", "FACTORY_JWT_JWKS_URL", "FACTORY_JWT_AUDIENCE");
            case "cdc-relay" -> Set.of("FACTORY_STANDBY_DB_URL");
            case "ops" -> Set.of("FACTORY_STANDBY_DB_URL", "FACTORY_KAFKA_BOOTSTRAP");
            default -> Set.of();
        };
    }

    /** What a deployment may set for this app: what it reads, and what the design announces for it. */
    Set<String> allowedEnvNames() {
        Set<String> allowed = new TreeSet<>(envNames);
        allowed.addAll(announced(module));
        return allowed;
    }

    /** The project's own variables among names (Spring's relaxed-binding names are not checked). */
    static Set<String> factoryNames(Set<String> names) {
        Set<String> factory = new TreeSet<>(names);
        factory.removeIf(name -> !name.startsWith("FACTORY_"));
        return factory;
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    static AppFacts of(String module) {
        String config = module + "/src/main/resources/application.yml";
        Set<String> names = new TreeSet<>(ProjectFiles.envLiteralsUnder(module + "/src/main/java"));
        Matcher m = PLACEHOLDER.matcher(ProjectFiles.text(config));
        while (m.find()) {
            names.add(m.group(1));
        }
        StandardEnvironment environment = environment(config);
        int port = environment.getRequiredProperty("server.port", Integer.class);
        Set<String> paths = new TreeSet<>(List.of("/actuator/health"));
        if (environment.getProperty("management.endpoint.health.probes.enabled", Boolean.class, false)) {
            paths.addAll(List.of("/actuator/health/liveness", "/actuator/health/readiness"));
        }
        if (ProjectFiles.javaSourcesUnder(module + "/src/main/java").contains("\"/api/v1/health\"")) {
            paths.add("/api/v1/health");
        }
        Map<String, Set<String>> groups = healthGroups(environment);
        groups.keySet().forEach(group -> paths.add("/actuator/health/" + group));
        return new AppFacts(module, port, names, paths, groups);
    }

    private static final Pattern GROUP_INCLUDE =
            Pattern.compile("management\\.endpoint\\.health\\.group\\.([A-Za-z0-9-]+)\\.include(\\[\\d+])?");

    /** The health groups application.yml declares, each to the components it includes. */
    private static Map<String, Set<String>> healthGroups(StandardEnvironment environment) {
        Map<String, Set<String>> groups = new TreeMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    Matcher m = GROUP_INCLUDE.matcher(name);
                    if (m.matches()) {
                        for (String member : String.valueOf(enumerable.getProperty(name)).split(",")) {
                            groups.computeIfAbsent(m.group(1), g -> new TreeSet<>()).add(member.strip());
                        }
                    }
                }
            }
        }
        return groups;
    }

    /** The components of the health group a probe path names ({@code /actuator/health/<group>}), or none. */
    Set<String> healthGroupOf(String path) {
        String prefix = "/actuator/health/";
        return path.startsWith(prefix) ? healthGroups.getOrDefault(path.substring(prefix.length()), Set.of()) : Set.of();
    }

    private static final Pattern DEFAULTED = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):([^}]*)}");

    /** The value the app uses for an environment variable its application.yml reads when nothing sets it. */
    static String defaultOf(String module, String variable) {
        Matcher m = DEFAULTED.matcher(ProjectFiles.text(module + "/src/main/resources/application.yml"));
        while (m.find()) {
            if (m.group(1).equals(variable)) {
                String value = m.group(2);
                while (value.startsWith("${")) {    // a default that is another variable's: ${A:${B:value}}
                    value = value.substring(value.indexOf(':') + 1);
                }
                return value;
            }
        }
        throw new AssertionError(module + "'s application.yml reads no " + variable + " with a default");
    }

    /** The migrations' variables: what MigrationSettings reads. */
    static Set<String> migrationEnvNames() {
        return ProjectFiles.envLiteralsUnder("migrations/src/main/java");
    }

    /** The app's application.yml plus platform's defaults, without the machine's environment. */
    private static StandardEnvironment environment(String config) {
        StandardEnvironment environment = new StandardEnvironment();
        MutablePropertySources sources = environment.getPropertySources();
        sources.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        try {
            new YamlPropertySourceLoader().load(config, new FileSystemResource(ProjectFiles.root().resolve(config)))
                    .forEach(sources::addLast);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        new PlatformEnvironmentDefaults().postProcessEnvironment(environment, null);
        return environment;
    }
}
