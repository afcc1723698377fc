package dev.agentfactory.migrations;

import java.util.Map;

/**
 * What the migrations need: the database to migrate as its owner, and the passwords of the
 * least-privilege roles they create (from the environment; Secret Manager on Cloud Run).
 */
public record MigrationSettings(String url, String user, String password,
                                String writerPassword, String readerPassword, String replicatorPassword) {

    /** From FACTORY_DB_URL, FACTORY_DB_OWNER_USER/PASSWORD and FACTORY_DB_{WRITER,READER,REPLICATOR}_PASSWORD. */
    public static MigrationSettings fromEnvironment(Map<String, String> env) {
        return new MigrationSettings(
                env.getOrDefault("FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:55432/factory"),
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

    Map<String, String> placeholders() {
        return Map.of("writer_password", writerPassword, "reader_password", readerPassword,
                "replicator_password", replicatorPassword);
    }
}
