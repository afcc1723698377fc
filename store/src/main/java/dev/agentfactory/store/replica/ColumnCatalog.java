package dev.agentfactory.store.replica;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The column types of the factory tables of one database, read from its catalog on first use and kept.
 * A writer that applies many small batches on fresh connections (the CDC relay's standby sink) shares one
 * across its {@link RowApplier}s instead of reading the catalog for every batch, and clears it when a batch
 * fails, since the failure may be a migration that changed a table. It also keeps the statement texts built
 * from those types, one per table, kind and column list, so rows do not rebuild them. Safe for concurrent use.
 */
public final class ColumnCatalog {

    private final Map<String, ColumnTypes> tables = new ConcurrentHashMap<>();
    private final Map<StatementKey, String> statements = new ConcurrentHashMap<>();

    private record StatementKey(String table, String kind, List<String> columns) {
    }

    ColumnTypes types(Connection c, TableSpec table) throws SQLException {
        ColumnTypes t = tables.get(table.name());
        if (t == null) {
            t = ColumnTypes.load(c, table);
            tables.put(table.name(), t);
        }
        return t;
    }

    /** The statement of this kind over these columns of the table, built once. */
    String statement(String table, String kind, List<String> columns, Supplier<String> build) {
        return statements.computeIfAbsent(new StatementKey(table, kind, columns), k -> build.get());
    }

    /** Forgets every table and statement: the next use reads the catalog again. */
    public void clear() {
        tables.clear();
        statements.clear();
    }
}
