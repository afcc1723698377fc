package dev.agentfactory.relay.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import dev.agentfactory.relay.change.RowChange;

/**
 * Applies changes to the standby database in one standby transaction per call, batching each table's rows. Entity rows are version-guarded; child tables are upserted or deleted by key,
 * so a redelivered change is a no-op and an older one never overwrites a newer row.
 */
public class StandbySink implements Sink, AutoCloseable {

    private static final Map<String, Integer> APPLY_ORDER = Map.of("agents", 0, "prds", 1, "agent_versions", 2,
            "agent_history", 3, "prd_versions", 4, "prd_agents", 5, "audit_log", 6, "processed_events", 7,
            "ingest_offsets", 8);

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
        // Parents first, then one run per table: a handful of JDBC batches per call instead of a round trip per
        // table switch. The sort is stable, so each row's changes keep their commit order; referencing rows
        // never precede their parents (the worker never hard-deletes a parent).
        List<RowChange> relevant = changes.stream()
                .sorted(Comparator.comparingInt(c -> APPLY_ORDER.getOrDefault(c.table(), APPLY_ORDER.size())))
                .toList();
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
                tables.clear(); // the standby's schema may have changed: read the catalog again on retry
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
