package dev.agentfactory.migrations;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.postgresql.util.PasswordUtil;

/**
 * What the migrations need: the database to migrate as its owner, and the passwords of the
 * least-privilege roles they create (from the environment; Secret Manager on Cloud Run).
 */
public record MigrationSettings(String url, String user, String password,
                                String writerPassword, String readerPassword, String replicatorPassword) {

    /** FACTORY_DB_URL when unset: the local stack's primary. */
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:55432/factory";

    private static final String DEFAULT_OWNER_PASSWORD = "postgres";
    private static final String DEFAULT_WRITER_PASSWORD = "factory_writer_local";
    private static final String DEFAULT_READER_PASSWORD = "factory_reader_local";
    private static final String DEFAULT_REPLICATOR_PASSWORD = "factory_replicator_local";
    /** The loopback stack's well-known passwords: no secret, and "postgres" is in every URL and user name. */
    private static final Set<String> LOCAL_DEFAULT_PASSWORDS = Set.of(DEFAULT_OWNER_PASSWORD, DEFAULT_WRITER_PASSWORD,
            DEFAULT_READER_PASSWORD, DEFAULT_REPLICATOR_PASSWORD);
    /** A shorter password is masked only as a whole SQL literal: masking each "ab" would garble the message. */
    private static final int MIN_UNQUOTED_MASK = 4;
    private static final String MASK = "***";
    /**
     * A SCRAM-SHA-256 verifier ({@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, base64), as
     * written and as {@link #literal} splices it into a placeholder ({@code $' || '}). Not a password, but a weak
     * password can be guessed from it offline, and it has a fresh salt on every run, so no message can be matched
     * against one value.
     */
    private static final Pattern SCRAM_VERIFIER = Pattern.compile(
            "SCRAM-SHA-256\\$(?:' \\|\\| ')?\\d+:[A-Za-z0-9+/=]+\\$(?:' \\|\\| ')?[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+");

    /**
     * From FACTORY_DB_URL, FACTORY_DB_OWNER_USER/PASSWORD and FACTORY_DB_{WRITER,READER,REPLICATOR}_PASSWORD.
     * TLS options may sit in the URL or come from FACTORY_DB_SSLMODE, FACTORY_DB_SSLROOTCERT,
     * FACTORY_DB_SSLCERT and FACTORY_DB_SSLKEY; a parameter already in the URL wins.
     */
    public static MigrationSettings fromEnvironment(Map<String, String> env) {
        return forDatabase(env, env.getOrDefault("FACTORY_DB_URL", DEFAULT_URL), "FACTORY_DB_URL");
    }

    /**
     * As {@link #fromEnvironment} for a database named elsewhere than FACTORY_DB_URL (ops restore's target): the
     * URL checks, the TLS defaults and the rule that the local default role passwords serve only a loopback database
     * apply to {@code url}, whatever FACTORY_DB_URL names. The migrations create the roles with these passwords and
     * never alter an existing role, so a remote database given the local defaults would keep them.
     *
     * @param source what the URL came from (a variable or an option), for messages; the URL itself is never echoed
     */
    public static MigrationSettings forDatabase(Map<String, String> env, String url, String source) {
        return forDatabase(env, url, source, true);
    }

    /**
     * @param tlsDefaults whether FACTORY_DB_SSL* apply to {@code url}: they describe FACTORY_DB_URL's server, so a
     *                    database on another server (ops restore into the standby) carries its own TLS options
     */
    public static MigrationSettings forDatabase(Map<String, String> env, String url, String source,
                                                boolean tlsDefaults) {
        // A secret that failed to mount arrives as an empty variable, and a libpq URI may carry a password: name
        // the variable, never echo the value (JdbcUrls' messages show at most the scheme).
        if (url == null || url.isBlank()) {
            throw new MigrationException(source + " is set but empty");
        }
        try {
            JdbcUrls.database(url); // refuses a URL pgjdbc would read another way than this project's tools
        } catch (IllegalArgumentException e) {
            throw new MigrationException(source + ": " + e.getMessage(), e);
        }
        if (!isLoopback(url)) {
            List<String> missing = Stream.of("FACTORY_DB_OWNER_PASSWORD", "FACTORY_DB_WRITER_PASSWORD",
                    "FACTORY_DB_READER_PASSWORD", "FACTORY_DB_REPLICATOR_PASSWORD")
                    .filter(k -> env.getOrDefault(k, "").isBlank()).toList();
            if (!missing.isEmpty()) {
                throw new MigrationException("the local defaults are only for a loopback database; set " + missing
                        + " for " + JdbcUrls.redacted(url));
            }
        }
        return fromVariables(env, tlsDefaults ? withTlsDefaults(env, url) : url);
    }

    /** The owner and role passwords of the environment (or the local defaults) for {@code url}, unchecked. */
    private static MigrationSettings fromVariables(Map<String, String> env, String url) {
        return new MigrationSettings(url,
                env.getOrDefault("FACTORY_DB_OWNER_USER", "postgres"),
                env.getOrDefault("FACTORY_DB_OWNER_PASSWORD", DEFAULT_OWNER_PASSWORD),
                env.getOrDefault("FACTORY_DB_WRITER_PASSWORD", DEFAULT_WRITER_PASSWORD),
                env.getOrDefault("FACTORY_DB_READER_PASSWORD", DEFAULT_READER_PASSWORD),
                env.getOrDefault("FACTORY_DB_REPLICATOR_PASSWORD", DEFAULT_REPLICATOR_PASSWORD));
    }

    /**
     * {@code message} as a CLI may print it: with the passwords of URLs in it masked ({@link JdbcUrls#redacted}) and
     * every password of the settings {@code env} gives (the owner's and the writer's, reader's and replicator's,
     * the ones a migration creates roles with) masked as {@code ***}. For a failure of anything that migrates with
     * the environment's passwords: {@code bin/db}, and {@code ops restore}, whose target gets the same ones. See
     * {@link #redacted(String)}.
     */
    public static String redacted(Map<String, String> env, String message) {
        return fromVariables(env, DEFAULT_URL).redacted(message);
    }

    /**
     * {@code message} with the URL passwords, these settings' passwords and any SCRAM-SHA-256 verifier masked. V1
     * creates a missing role with {@code EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', ...)} from the role's
     * verifier ({@link #placeholders}), and when that fails (a concurrent first creation, an owner without
     * CREATEROLE) PostgreSQL quotes the statement in the error's context ({@code Where: SQL statement "CREATE ROLE
     * factory_writer LOGIN PASSWORD 'SCRAM-SHA-256$4096:…'"}), which pgjdbc and Flyway carry into the message;
     * Flyway's statement holds the placeholder's encoding. So every verifier is masked, in both forms. The
     * passwords themselves are masked as written, as SQL quotes them (quotes and backslashes doubled) and as
     * {@link #literal} encodes them, wherever else they may show. A blank password, and the local stack's well-known
     * defaults ("postgres" would mask every {@code jdbc:postgresql} URL), are left alone; one shorter than
     * {@value #MIN_UNQUOTED_MASK} characters is masked only as a whole SQL literal ({@code '…'}).
     */
    public String redacted(String message) {
        if (message == null) {
            return null;
        }
        Set<String> quoted = new LinkedHashSet<>();
        Set<String> anywhere = new LinkedHashSet<>();
        for (String secret : List.of(password, writerPassword, readerPassword, replicatorPassword)) {
            if (secret == null || secret.isBlank() || LOCAL_DEFAULT_PASSWORDS.contains(secret)) {
                continue;
            }
            for (String form : List.of(secret, secret.replace("\\", "\\\\").replace("'", "''"), literal(secret))) {
                quoted.add(form);
                if (secret.length() >= MIN_UNQUOTED_MASK) {
                    anywhere.add(form);
                }
            }
        }
        String out = SCRAM_VERIFIER.matcher(JdbcUrls.redacted(message)).replaceAll(MASK);
        // Longest first, so a password that holds another one, or one form that holds another, goes whole.
        for (String form : quoted.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            out = out.replace("'" + form + "'", "'" + MASK + "'");
        }
        for (String form : anywhere.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            out = out.replace(form, MASK);
        }
        return out;
    }

    /**
     * {@code url} with the TLS options of FACTORY_DB_SSLMODE, FACTORY_DB_SSLROOTCERT, FACTORY_DB_SSLCERT and
     * FACTORY_DB_SSLKEY that it does not set itself.
     */
    public static String withTlsDefaults(Map<String, String> env, String url) {
        Map<String, String> tls = new LinkedHashMap<>();
        // Spelled out (not built from a prefix) so the deployment consistency tests can see every name read.
        Map<String, String> tlsVariables = Map.of("sslmode", "FACTORY_DB_SSLMODE", "sslrootcert", "FACTORY_DB_SSLROOTCERT",
                "sslcert", "FACTORY_DB_SSLCERT", "sslkey", "FACTORY_DB_SSLKEY");
        for (String option : List.of("sslmode", "sslrootcert", "sslcert", "sslkey")) {
            String value = env.get(tlsVariables.get(option));
            if (value != null && !value.isBlank()) {
                tls.put(option, value);
            }
        }
        return JdbcUrls.withDefaultParameters(url, tls);
    }

    /** Whether the URL names this machine (where the local stack's well-known passwords are acceptable). */
    static boolean isLoopback(String url) {
        // Whole host names, every one of a multi-host URL: "localhost.example.com" is somebody else's server.
        return JdbcUrls.servers(url).stream().allMatch(hostAndPort -> {
            String host = hostAndPort.startsWith("[") ? hostAndPort.substring(0, hostAndPort.indexOf(']') + 1)
                    : hostAndPort.replaceFirst(":\\d*$", "");
            return host.equals("localhost") || host.equals("[::1]") || host.matches("127(\\.\\d{1,3}){3}");
        });
    }

    /** The same settings against another database (tests give each suite its own). */
    public MigrationSettings withUrl(String otherUrl) {
        return new MigrationSettings(otherUrl, user, password, writerPassword, readerPassword, replicatorPassword);
    }

    /**
     * The role "passwords" V1 creates missing roles with: not the passwords but their SCRAM-SHA-256 verifiers (a
     * fresh random salt on each call), which PostgreSQL stores as they are and against which the password logs in.
     * The DO block that holds them is a top-level statement, which {@code pg_stat_statements} records verbatim
     * (readable by {@code pg_read_all_stats}: Supabase's Query Performance page), which reruns on every {@code db
     * validate} (scratch database) and {@code ops restore}, and which {@code log_min_error_statement} logs when it
     * fails: none of that sees a password, only verifiers. Flyway checksums a versioned script before placeholder
     * replacement, so the salt never changes V1's checksum.
     *
     * <p>Each lands inside an SQL string literal ({@code '${writer_password}'}) in an expression of a dollar-quoted
     * block ({@code DO $$ ... $$}), and every verifier has {@code $}s, so quotes are doubled and every {@code $}
     * closes the literal and continues in a new one ({@code 'a$' || '$b'}): a "$$" would otherwise end the block.
     * Control characters become {@code chr(n)}: V1 also names the placeholders in a comment, which a newline would
     * end. A script may use these placeholders only where an expression may stand, not as a bare literal of a utility
     * statement ({@code CREATE ROLE ... PASSWORD '...'}); run such statements through {@code EXECUTE format(..., %L)}.
     */
    Map<String, String> placeholders() {
        return Map.of("writer_password", literal(verifier(writerPassword)),
                "reader_password", literal(verifier(readerPassword)),
                "replicator_password", literal(verifier(replicatorPassword)));
    }

    /** {@code sql} with each {@code ${name}} of {@code placeholders} replaced, as Flyway replaces them in a migration. */
    static String withPlaceholders(String sql, Map<String, String> placeholders) {
        for (Map.Entry<String, String> p : placeholders.entrySet()) {
            sql = sql.replace("${" + p.getKey() + "}", p.getValue());
        }
        return sql;
    }

    /** The SCRAM-SHA-256 verifier of {@code password} with a random salt (PostgreSQL's default 4096 iterations). */
    private static String verifier(String password) {
        return PasswordUtil.encodeScramSha256(password.toCharArray());
    }

    /** {@code value} as the content of an SQL string literal that may sit in a dollar-quoted block (see above). */
    static String literal(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        value.chars().forEach(ch -> {
            if (ch == '\'') {
                out.append("''");
            } else if (ch == '$') {
                out.append("$' || '");
            } else if (Character.isISOControl(ch)) {
                out.append("' || chr(").append(ch).append(") || '");
            } else {
                out.append((char) ch);
            }
        });
        return out.toString();
    }

    @Override
    public String toString() {
        return "MigrationSettings[url=" + JdbcUrls.redacted(url) + ", user=" + user + ", passwords=<redacted>]";
    }
}
