package dev.agentfactory.relay.engine;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Debezium offsets in {@code factory.cdc_offsets} on the primary. Cloud Run has no persistent disk, so a
 * file store would lose the position on every restart; the primary is already there, backed up with the data
 * it describes, and needs no extra system. Debezium instantiates this class by name
 * ({@code offset.storage}); it reads its connection from the {@code offset.storage.factory.*} properties.
 */
public class PostgresOffsetStore extends MemoryOffsetBackingStore {

    static final String URL = "offset.storage.factory.url";
    static final String USER = "offset.storage.factory.user";
    static final String PASSWORD = "offset.storage.factory.password";

    static final String LOAD_SQL = "SELECT offset_key, offset_value FROM factory.cdc_offsets";
    static final String SAVE_SQL = """
            INSERT INTO factory.cdc_offsets (offset_key, offset_value, updated_at) VALUES (?, ?, now())
            ON CONFLICT (offset_key) DO UPDATE SET offset_value = excluded.offset_value, updated_at = now()
            """;

    private String url;
    private String user;
    private String password;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, String> originals = config.originalsStrings();
        url = originals.get(URL);
        user = originals.get(USER);
        password = originals.get(PASSWORD);
        if (url == null) {
            throw new ConnectException(URL + " is not set");
        }
    }

    @Override
    public synchronized void start() {
        super.start();
        Map<ByteBuffer, ByteBuffer> loaded = new HashMap<>();
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery(LOAD_SQL)) {
            while (rs.next()) {
                byte[] value = rs.getBytes(2);
                loaded.put(ByteBuffer.wrap(rs.getBytes(1)), value == null ? null : ByteBuffer.wrap(value));
            }
        } catch (SQLException e) {
            throw new ConnectException("cannot read offsets from factory.cdc_offsets", e);
        }
        data.putAll(loaded);
    }

    /** Called by the base class on its executor after every {@code set}; failing it fails the offset flush. */
    @Override
    protected void save() {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
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
            throw new ConnectException("cannot write offsets to factory.cdc_offsets", e);
        }
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
