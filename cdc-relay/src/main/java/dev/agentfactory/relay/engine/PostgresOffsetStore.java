package dev.agentfactory.relay.engine;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Debezium offsets in {@code factory.cdc_offsets} on the primary. Cloud Run has no persistent disk, so a
 * file store would lose the position on every restart; the primary is already there, backed up with the data
 * it describes, and needs no extra system. Debezium instantiates this class by name
 * ({@code offset.storage}); it reads its connection from the {@code offset.storage.factory.*} properties.
 * <p>
 * One connection is kept for the loads and every flush (a new TLS session to a managed primary every second cost
 * more than the write), opened again after a failure. It has a socket timeout and TCP keepalive: a flush waiting on
 * a connection gone half-open waited for good, and the engine's offsets with it. Each save is one transaction.
 */
public class PostgresOffsetStore extends MemoryOffsetBackingStore {

    static final String URL = "offset.storage.factory.url";
    static final String USER = "offset.storage.factory.user";
    static final String PASSWORD = "offset.storage.factory.password";
    /** pgjdbc's socketTimeout, whole seconds. */
    static final String SOCKET_TIMEOUT = "offset.storage.factory.socket-timeout";

    static final String LOAD_SQL = "SELECT offset_key, offset_value FROM factory.cdc_offsets";
    static final String SAVE_SQL = """
            INSERT INTO factory.cdc_offsets (offset_key, offset_value, updated_at) VALUES (?, ?, now())
            ON CONFLICT (offset_key) DO UPDATE SET offset_value = excluded.offset_value, updated_at = now()
            """;

    private String url;
    private final Properties connectionProperties = new Properties();
    private Connection connection;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, String> originals = config.originalsStrings();
        url = originals.get(URL);
        String socketTimeout = originals.get(SOCKET_TIMEOUT);
        if (url == null || socketTimeout == null) {
            throw new ConnectException(URL + " and " + SOCKET_TIMEOUT + " must be set (DebeziumConfig sets both)");
        }
        connectionProperties.setProperty("user", originals.getOrDefault(USER, ""));
        connectionProperties.setProperty("password", originals.getOrDefault(PASSWORD, ""));
        connectionProperties.setProperty("socketTimeout", socketTimeout);
        connectionProperties.setProperty("tcpKeepAlive", "true");
        connectionProperties.setProperty("ApplicationName", "cdc-relay-offsets");
    }

    @Override
    public synchronized void start() {
        super.start();
        Map<ByteBuffer, ByteBuffer> loaded = new HashMap<>();
        try {
            Connection c = connection();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(LOAD_SQL)) {
                while (rs.next()) {
                    byte[] value = rs.getBytes(2);
                    loaded.put(ByteBuffer.wrap(rs.getBytes(1)), value == null ? null : ByteBuffer.wrap(value));
                }
            }
            c.commit();
        } catch (SQLException e) {
            closeConnection();
            throw new ConnectException("cannot read offsets from factory.cdc_offsets", e);
        }
        data.putAll(loaded);
    }

    @Override
    public void stop() { // not synchronized: the base class waits for a pending save, which takes the monitor
        super.stop();
        closeConnection();
    }

    /** Called by the base class on its executor after every {@code set}; failing it fails the offset flush. */
    @Override
    protected synchronized void save() {
        try {
            Connection c = connection();
            try (PreparedStatement ps = c.prepareStatement(SAVE_SQL)) {
                for (Map.Entry<ByteBuffer, ByteBuffer> e : data.entrySet()) {
                    ps.setBytes(1, bytes(e.getKey()));
                    ps.setBytes(2, e.getValue() == null ? null : bytes(e.getValue()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        } catch (SQLException e) {
            closeConnection(); // rolls back whatever the failed save wrote; the next save opens a new one
            throw new ConnectException("cannot write offsets to factory.cdc_offsets", e);
        }
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }

    /** The kept connection, in manual commit, opened when there is none. */
    private synchronized Connection connection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(url, connectionProperties);
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private synchronized void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // gone either way
            }
            connection = null;
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
