package dev.agentfactory.relay.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import dev.agentfactory.relay.change.RowChange;

/**
 * Applies changes to the standby database in one standby transaction per call, in commit order, batching
 * runs of the same statement. Entity rows are version-guarded; child tables are upserted or deleted by key,
 * so a redelivered change is a no-op and an older one never overwrites a newer row.
 */
public class StandbySink implements Sink, AutoCloseable {

    private final DataSource standby;
    private final Map<String, StandbyTable> tables = new ConcurrentHashMap<>();

    public StandbySink(DataSource standby) {
        this.standby = standby;
    }

    @Override
    public String name() {
        return "standby";
    }

    @Override
    public void apply(List<RowChange> changes) throws SQLException {
        List<RowChange> relevant = changes.stream().filter(c -> !c.table().startsWith("cdc_")).toList();
        if (relevant.isEmpty()) {
            return;
        }
        try (Connection c = standby.getConnection()) {
            c.setAutoCommit(false);
            try {
                applyAll(c, relevant);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void applyAll(Connection c, List<RowChange> changes) throws SQLException {
        PreparedStatement current = null;
        String currentSql = null;
        try {
            for (RowChange change : changes) {
                StandbyTable table = table(c, change.table());
                Map<String, Object> row = change.row();
                List<String> columns = change.isDelete() ? table.deleteParams() : List.copyOf(row.keySet());
                String sql = change.isDelete() ? table.delete() : table.upsert(columns);
                if (!Objects.equals(sql, currentSql)) {
                    if (current != null) {
                        current.executeBatch();
                        current.close();
                    }
                    current = c.prepareStatement(sql);
                    currentSql = sql;
                }
                for (int i = 0; i < columns.size(); i++) {
                    current.setObject(i + 1, row.get(columns.get(i)));
                }
                current.addBatch();
            }
            if (current != null) {
                current.executeBatch();
            }
        } finally {
            if (current != null) {
                current.close();
            }
        }
    }

    private StandbyTable table(Connection c, String name) throws SQLException {
        StandbyTable t = tables.get(name);
        if (t == null) {
            t = StandbyTable.load(c, name);
            tables.put(name, t);
        }
        return t;
    }


    @Override
    public void close() throws Exception {
        if (standby instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
