package dev.agentfactory.ops.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

import dev.agentfactory.migrations.JdbcUrls;

/**
 * Where ops finds the system, from the same environment variables the services use (bin/lib/common.sh
 * sets the local stack's): the databases and the owner role, Kafka and the audit topics, the backup
 * directory, and the services' writer role (which a planned failover fences). Every command option that names a
 * database, topic or role overrides these.
 */
public record OpsSettings(String dbUrl, String standbyUrl, String user, String password, KafkaClients kafka,
                          String agentsAuditTopic, String prdsAuditTopic, String backupDir, String writerUser) {

    public static OpsSettings fromEnvironment(Map<String, String> env) {
        return new OpsSettings(
                env.getOrDefault("FACTORY_DB_URL", "jdbc:postgresql://127.0.0.1:55432/factory"),
                env.getOrDefault("FACTORY_STANDBY_DB_URL", "jdbc:postgresql://127.0.0.1:55433/factory"),
                env.getOrDefault("FACTORY_DB_OWNER_USER", "postgres"),
                env.getOrDefault("FACTORY_DB_OWNER_PASSWORD", "postgres"),
                KafkaClients.fromEnvironment(env, env.getOrDefault("FACTORY_KAFKA_BOOTSTRAP", "127.0.0.1:19092")),
                env.getOrDefault("FACTORY_CDC_AGENTS_AUDIT_TOPIC", "factory.audit.agents.v1"),
                env.getOrDefault("FACTORY_CDC_PRDS_AUDIT_TOPIC", "factory.audit.prds.v1"),
                env.getOrDefault("FACTORY_BACKUP_DIR", "backups"),
                env.getOrDefault("FACTORY_DB_WRITER_USER", "factory_writer"));
    }

    /** Without the owner's password, and with the URLs' masked: settings may end up in a message or a log. */
    @Override
    public String toString() {
        return "OpsSettings[dbUrl=" + JdbcUrls.redacted(dbUrl) + ", standbyUrl=" + JdbcUrls.redacted(standbyUrl)
                + ", user=" + user + ", password=<redacted>, kafka=" + kafka + ", agentsAuditTopic="
                + agentsAuditTopic + ", prdsAuditTopic=" + prdsAuditTopic + ", backupDir=" + backupDir
                + ", writerUser=" + writerUser + "]";
    }

    public Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", "factory-ops");
        return DriverManager.getConnection(url, p);
    }
}
