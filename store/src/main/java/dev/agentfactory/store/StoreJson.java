package dev.agentfactory.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.contracts.ExactJson;

/**
 * JSON and time conversions at the database boundary: JSONB columns to and from plain maps,
 * timestamps truncated to PostgreSQL's microseconds, and snapshot fields in the {@code to_jsonb(row)}
 * shape (column names, ISO timestamps) that the worker also writes.
 */
public final class StoreJson {

    private static final JsonMapper JSON = ExactJson.mapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private StoreJson() {
    }

    public static String write(Map<String, Object> value) {
        return JSON.writeValueAsString(value == null ? Map.of() : value);
    }

    public static Map<String, Object> read(String json) {
        return json == null ? null : JSON.readValue(json, MAP);
    }

    /** A JSONB column as a map (empty for SQL NULL). */
    public static Map<String, Object> column(ResultSet rs, String column) throws SQLException {
        String json = rs.getString(column);
        return json == null ? Map.of() : read(json);
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    public static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** PostgreSQL keeps microseconds; both implementations store this so reads equal what was written. */
    public static Instant micros(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }

    /** A snapshot timestamp: ISO with any offset ({@code Z} from Java, {@code +00:00} from to_jsonb). */
    public static Instant parseInstant(Object value) {
        return value == null ? null : OffsetDateTime.parse(value.toString(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .toInstant();
    }

    public static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }
}
