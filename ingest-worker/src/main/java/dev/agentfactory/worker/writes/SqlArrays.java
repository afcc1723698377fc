package dev.agentfactory.worker.writes;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Binds one column of a set-wise statement as a PostgreSQL array, so a batch of any size is one
 * round trip ({@code INSERT ... SELECT * FROM unnest(?, ?, ...)}). jsonb and timestamptz columns travel
 * as text arrays and are cast in the SQL.
 */
final class SqlArrays {

    private final Connection connection;
    private final PreparedStatement statement;
    private int index;

    SqlArrays(Connection connection, PreparedStatement statement) {
        this.connection = connection;
        this.statement = statement;
    }

    /** Binds the next parameter: {@code pgType} is the element type ({@code uuid}, {@code text}, {@code int8}...). */
    <T> SqlArrays column(String pgType, Collection<T> rows, Function<T, ?> value) throws SQLException {
        Object[] values = rows.stream().map(value).map(v -> v == null ? null : asSqlValue(v)).toArray();
        Array array = connection.createArrayOf(pgType, values);
        statement.setArray(++index, array);
        return this;
    }

    SqlArrays array(String pgType, List<?> values) throws SQLException {
        statement.setArray(++index, connection.createArrayOf(pgType, values.toArray()));
        return this;
    }

    SqlArrays value(Object v) throws SQLException {
        statement.setObject(++index, v);
        return this;
    }

    private static Object asSqlValue(Object v) {
        return v instanceof java.time.Instant i ? i.toString() : v;
    }
}
