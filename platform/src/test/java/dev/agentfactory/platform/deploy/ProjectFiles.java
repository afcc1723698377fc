package dev.agentfactory.platform.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Reads files of the checkout (the build sets {@code factory.root}) for the deployment consistency tests. */
final class ProjectFiles {

    private static final Pattern ENV_LITERAL = Pattern.compile("\"(FACTORY_[A-Z0-9_]+)\"");

    private ProjectFiles() {
    }

    static Path root() {
        String configured = System.getProperty("factory.root");
        Path start = Path.of(configured != null ? configured : System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("platform"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no checkout root above " + start + " (set -Dfactory.root)");
    }

    static String text(String relative) {
        try {
            return Files.readString(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A YAML document as nested maps and lists (anchors and merge keys resolved). */
    static Map<String, Object> yaml(String relative) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(options).load(text(relative));
    }

    /** The {@code "FACTORY_..."} string literals in the Java sources under a directory. */
    static Set<String> envLiteralsUnder(String relativeDir) {
        Set<String> names = new TreeSet<>();
        Matcher m = ENV_LITERAL.matcher(javaSourcesUnder(relativeDir));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** All Java sources under a directory, concatenated (empty when there is none). */
    static String javaSourcesUnder(String relativeDir) {
        Path dir = root().resolve(relativeDir);
        if (!Files.isDirectory(dir)) {
            return "";
        }
        try (Stream<Path> files = Files.walk(dir)) {
            StringBuilder all = new StringBuilder();
            files.filter(file -> file.toString().endsWith(".java")).sorted()
                    .forEach(file -> all.append(text(root().relativize(file).toString())).append('\n'));
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code KEY="value"} lines of an env file (comments and blank lines skipped). */
    static Map<String, String> envFile(String relative) {
        Map<String, String> entries = new LinkedHashMap<>();
        text(relative).lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .forEach(line -> {
                    int eq = line.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalStateException(relative + ": not KEY=value: " + line);
                    }
                    entries.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("^\"|\"$", ""));
                });
        return entries;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        return (List<Object>) node;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            current = ((Map<String, Object>) current).get(key);
            if (current == null) {
                throw new AssertionError("missing " + String.join(".", path) + " (at " + key + ")");
            }
        }
        return (Map<String, Object>) current;
    }
}
