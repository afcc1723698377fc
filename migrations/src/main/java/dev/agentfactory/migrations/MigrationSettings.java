package dev.agentfactory.migrations;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the migrations need: the database to migrate as its owner, and the passwords of the
 * least-privilege roles they create (from the environment; Secret Manager on Cloud Run).
 */
public record MigrationSettings(String url, String user, String password,
                                String writerPassword, String readerPassword, String replicatorPassword) {

    /**
     * From FACTORY_DB_URL, FACTORY_DB_OWNER_USER/PASSWORD and FACTORY_DB_{WRITER,READER,REPLICATOR}_PASSWORD.
     * TLS options may sit in the URL or come from FACTORY_DB_SSLMODE, FACTORY_DB_SSLROOTCERT,
     * FACTORY_DB_SSLCERT and FACTORY_DB_SSLKEY; a parameter already in the URL wins.
     */
    public static MigrationSettings fromEnvironment(Map<String, String> env) {
        Map<String, String> tls = new LinkedHashMap<>();
        for (String option : new String[] {"sslmode", "sslrootcert", "sslcert", "sslkey"}) {
            String value = env.get("FACTORY_DB_" + option.toUpperCase());
            if (value != null && !value.isBlank()) {
                tls.put(option, value);
            }
        }
        String url = env.getOrDefault("FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:55432/factory");
        return new MigrationSettings(
                JdbcUrls.withDefaultParameters(url, tls),
                env.getOrDefault("FACTORY_DB_OWNER_USER", "postgres"),
                env.getOrDefault("FACTORY_DB_OWNER_PASSWORD", "postgres"),
                env.getOrDefault("FACTORY_DB_WRITER_PASSWORD", "factory_writer_local"),
                env.getOrDefault("FACTORY_DB_READER_PASSWORD", "factory_reader_local"),
                env.getOrDefault("FACTORY_DB_REPLICATOR_PASSWORD", "factory_replicator_local"));
    }

    /** The same settings against another database (tests give each suite its own). */
    public MigrationSettings withUrl(String otherUrl) {
        return new MigrationSettings(otherUrl, user, password, writerPassword, readerPassword, replicatorPassword);
    }

    /** The passwords land inside SQL string literals, so quotes are doubled rather than trusted. */
    Map<String, String> placeholders() {
        return Map.of("writer_password", literal(writerPassword), "reader_password", literal(readerPassword),
                "replicator_password", literal(replicatorPassword));
    }

    private static String literal(String value) {
        return value.replace("'", "''");
    }

    @Override
    public String toString() {
        return "MigrationSettings[url=" + url + ", user=" + user + ", passwords=<redacted>]";
    }
}
