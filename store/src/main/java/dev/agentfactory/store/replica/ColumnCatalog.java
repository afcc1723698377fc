package dev.agentfactory.store.replica;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The column types of the factory tables of one database, read from its catalog on first use and kept.
 * A writer that applies many small batches on fresh connections (the CDC relay's standby sink) shares one
 * across its {@link RowApplier}s instead of reading the catalog for every batch, and clears it when a batch
 * fails, since the failure may be a migration that changed a table. Safe for concurrent use.
 */
public final class ColumnCatalog {

    private final Map<String, ColumnTypes> tables = new ConcurrentHashMap<>();

    ColumnTypes types(Connection c, TableSpec table) throws SQLException {
        ColumnTypes t = tables.get(table.name());
        if (t == null) {
            t = ColumnTypes.load(c, table);
            tables.put(table.name(), t);
        }
        return t;
    }

    /** Forgets every table: the next use reads the catalog again. */
    public void clear() {
        tables.clear();
    }
}
