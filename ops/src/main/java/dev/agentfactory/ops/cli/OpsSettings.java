package dev.agentfactory.ops.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

import dev.agentfactory.migrations.JdbcUrls;
import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.store.replica.StandbyApplyLock;

/**
 * Where ops finds the system, from the same environment variables the services use (bin/lib/common.sh
 * sets the local stack's): the databases and the owner role, Kafka and the topics, the backup
 * directory, the services' writer role (which a planned failover fences) and the relays' lock key
 * ({@code FACTORY_CDC_LOCK_KEY}, with the relay's default: replay takes the relay's standby apply lock made from it,
 * {@link StandbyApplyLock}). Every command option that names a database, topic or role overrides these.
 */
public record OpsSettings(String dbUrl, String standbyUrl, String user, String password, KafkaClients kafka,
                          OpsTopics topics, String backupDir, String writerUser, long cdcLockKey) {

    /** The local stack's broker, where no {@code FACTORY_KAFKA_BOOTSTRAP} says otherwise. */
    private static final String LOCAL_BOOTSTRAP = "127.0.0.1:19092";

    /**
     * The primary's URL takes the TLS options of FACTORY_DB_SSLMODE / SSLROOTCERT / SSLCERT / SSLKEY it does not set
     * itself, as the migrations read it. The standby's does not: those variables describe the primary's server and
     * CA, and the standby (another server, another CA) carries its TLS options in its own URL.
     */
    public static OpsSettings fromEnvironment(Map<String, String> env) {
        return new OpsSettings(
                MigrationSettings.withTlsDefaults(env,
                        env.getOrDefault("FACTORY_DB_URL", MigrationSettings.DEFAULT_URL)),
                env.getOrDefault("FACTORY_STANDBY_DB_URL", "jdbc:postgresql://127.0.0.1:55433/factory"),
                env.getOrDefault("FACTORY_DB_OWNER_USER", "postgres"),
                env.getOrDefault("FACTORY_DB_OWNER_PASSWORD", "postgres"),
                KafkaClients.fromEnvironment(env, env.getOrDefault("FACTORY_KAFKA_BOOTSTRAP", LOCAL_BOOTSTRAP)),
                OpsTopics.fromEnvironment(env),
                env.getOrDefault("FACTORY_BACKUP_DIR", "backups"),
                env.getOrDefault("FACTORY_DB_WRITER_USER", "factory_writer"),
                lockKey(env.get(StandbyApplyLock.KEY_VARIABLE)));
    }

    /** A blank variable counts as unset, as for the topics; anything but a number is refused. */
    private static long lockKey(String value) {
        if (value == null || value.isBlank()) {
            return StandbyApplyLock.DEFAULT_KEY;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(StandbyApplyLock.KEY_VARIABLE + " must be a number (the relays' lock-key), got '"
                    + value + "'");
        }
    }

    /** Without the owner's password, and with the URLs' masked: settings may end up in a message or a log. */
    @Override
    public String toString() {
        return "OpsSettings[dbUrl=" + JdbcUrls.redacted(dbUrl) + ", standbyUrl=" + JdbcUrls.redacted(standbyUrl)
                + ", user=" + user + ", password=<redacted>, kafka=" + kafka + ", topics=" + topics + ", backupDir=" + backupDir
                + ", writerUser=" + writerUser + ", cdcLockKey=" + cdcLockKey + "]";
    }

    /** These settings with the broker named by a command's {@code --bootstrap}, when given. */
    public OpsSettings withBootstrap(String bootstrap) {
        return bootstrap == null || bootstrap.isBlank() ? this
                : new OpsSettings(dbUrl, standbyUrl, user, password, new KafkaClients(bootstrap, kafka.security()),
                        topics, backupDir, writerUser, cdcLockKey);
    }

    /**
     * Opens {@code url} as the owner: every connection ops makes goes through here. pgjdbc and DriverManager put the
     * whole URL into some of their errors ({@code Unable to parse URL …?password=…}, {@code No suitable driver found for
     * postgresql://user:secret@…}) and the commands print an error's message, so a failure is thrown again with the
     * URL's passwords masked, its SQLState kept (a failover tells an unreachable primary by it) and without the
     * original as its cause, whose message would still carry them.
     */
    public Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", "factory-ops");
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            throw new SQLException(JdbcUrls.redacted(url == null ? message
                    : message.replace(url, JdbcUrls.redacted(url))), e.getSQLState(), e.getErrorCode());
        }
    }
}
