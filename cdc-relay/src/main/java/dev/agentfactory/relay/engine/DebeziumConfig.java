package dev.agentfactory.relay.engine;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import dev.agentfactory.relay.CdcProperties;
import dev.agentfactory.relay.change.ChangeParser;

/**
 * The Debezium engine properties for the factory tables: pgoutput over the migrations' publication (never
 * auto-created), transaction markers (the relay acknowledges whole transactions only), heartbeats that
 * write the heartbeat table, and offsets in PostgreSQL.
 */
public final class DebeziumConfig {

    /** pgjdbc URL parameters that Debezium takes as {@code database.<name>}: TLS to a managed PostgreSQL. */
    static final List<String> TLS_PARAMETERS = List.of("sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword");

    static final String HEARTBEAT_SQL = "INSERT INTO factory.cdc_heartbeat (id, beat_at) VALUES (1, now()) "
            + "ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at";

    /**
     * The most the offset flush may take, at a stop and between deliveries alike (one setting). A periodic flush runs on
     * the polling thread, and Debezium 3.6 does not fail the stream when it times out: it logs a warning, cancels the
     * flush and goes on, and tries again after the next batch. While the offset store is stalled (a save waiting out
     * its socket timeout) every batch is therefore held up to this long; routine flushes take milliseconds.
     */
    static final Duration PERIODIC_FLUSH_LIMIT = Duration.ofSeconds(10);

    private DebeziumConfig() {
    }

    /** The primary's connection, as Spring's datasource settings give it. */
    public record Primary(String jdbcUrl, String user, String password) {
    }

    public static Properties of(CdcProperties cdc, Primary primary) {
        URI uri = URI.create(primary.jdbcUrl().substring("jdbc:".length()));
        Properties p = new Properties();
        p.setProperty("name", cdc.name());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", cdc.topicPrefix());
        p.setProperty("database.hostname", uri.getHost());
        p.setProperty("database.port", Integer.toString(uri.getPort() > 0 ? uri.getPort() : 5432));
        p.setProperty("database.dbname", uri.getPath().substring(1));
        p.setProperty("database.user", primary.user());
        p.setProperty("database.password", primary.password());
        // The replication connection must be as secure as the datasource's (Supabase requires sslmode=require).
        queryParameters(uri).forEach((name, value) -> {
            if (TLS_PARAMETERS.contains(name)) {
                p.setProperty("database." + name, value);
            }
        });
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", cdc.slotName());
        p.setProperty("publication.name", cdc.publicationName());
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("schema.include.list", "factory");
        p.setProperty("table.include.list", cdc.tables().stream().map(t -> "factory." + t)
                .collect(Collectors.joining(",")) + ",factory.cdc_heartbeat");
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("provide.transaction.metadata", "true");
        // Also what keeps TransactionalBatchHandler's whole-transaction check exact: it compares the records it got
        // with END's event_count, which counts each change once (not a delete's tombstone, not a skipped TRUNCATE).
        p.setProperty("tombstones.on.delete", "false");
        // date/time/timestamp columns as ISO strings, not epoch numbers: the standby sink writes values as
        // text cast to the column's type, so a date column added by a later migration must arrive as a date
        p.setProperty("time.precision.mode", "isostring");
        // intervals as ISO 8601 text (P1Y2M3DT4H5M6.78S), which interval input reads back exactly; the default
        // (numeric) gives microseconds counting a month as 30 days, which interval input would read as seconds
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("unavailable.value.placeholder", ChangeParser.UNAVAILABLE);
        p.setProperty("heartbeat.interval.ms", Long.toString(cdc.heartbeatInterval().toMillis()));
        p.setProperty("heartbeat.action.query", HEARTBEAT_SQL);
        p.setProperty("slot.drop.on.stop", "false");
        // Debezium opens the stream twice at start (resume-position search, then streaming); the first
        // walsender may not have exited yet, so retry the "slot is active" error quickly, not every 10 s
        p.setProperty("slot.retry.delay.ms", "500");
        p.setProperty("slot.max.retries", "60");
        p.setProperty("max.batch.size", Integer.toString(cdc.maxBatchRecords()));
        p.setProperty("max.queue.size", Integer.toString(cdc.maxQueueRecords()));
        // Counts alone let the queue hold 32,768 updates of entities near the size limit (about 2.4 MB each with
        // their before-image): far over the heap. Enqueueing waits while the queue holds this many bytes (Debezium's
        // estimate of each record, ApproximateStructSizeCalculator); 0, Debezium's default, is no bound.
        p.setProperty("max.queue.size.in.bytes", Long.toString(cdc.maxQueueBytes()));
        p.setProperty("poll.interval.ms", "50");
        p.setProperty("status.update.interval.ms", "1000");
        p.setProperty("offset.storage", PostgresOffsetStore.class.getName());
        p.setProperty(PostgresOffsetStore.URL, primary.jdbcUrl());
        p.setProperty(PostgresOffsetStore.USER, primary.user());
        p.setProperty(PostgresOffsetStore.PASSWORD, primary.password());
        p.setProperty(PostgresOffsetStore.SOCKET_TIMEOUT, Long.toString(cdc.dbSocketTimeout().toSeconds()));
        p.setProperty("offset.flush.interval.ms", Long.toString(cdc.offsetFlushInterval().toMillis()));
        // What a stop (engine.close) does in Debezium 3.6's async engine, within factory.cdc.shutdown-timeout: it waits
        // record.processing.shutdown.timeout.ms for the record service, which only converts the polled batch (the relay
        // has no transforms; milliseconds), then cancels the polling thread, which runs the relay's delivery: a delivery
        // in flight is abandoned at once (its sink calls cancelled) and delivered again at the next start. Last comes
        // the offset flush of what was acknowledged, which gets the rest of the budget.
        long stop = cdc.shutdownTimeout().toMillis();
        long recordService = Math.max(1, stop / 10);
        p.setProperty("record.processing.shutdown.timeout.ms", Long.toString(recordService));
        p.setProperty("offset.flush.timeout.ms",
                Long.toString(Math.min(PERIODIC_FLUSH_LIMIT.toMillis(), Math.max(1, stop - recordService))));
        // No retries inside the engine: on a retriable error (the walsender ended, a network fault) Debezium restarts the
        // connector's task and resumes it from the stored offsets, but keeps the batch consumer, whose buffer then held
        // the interrupted transaction's first part ahead of the transactions streamed again: a partial transaction, and
        // transactions out of commit order, in the sinks. (The connector's error handler reads the same setting.) The
        // engine stops instead, and RelayRunner starts it again with a new handler after its backoff, counted in
        // factory.cdc.stream.failures.
        p.setProperty("errors.max.retries", "0");
        return p;
    }

    private static Map<String, String> queryParameters(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    parameters.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return parameters;
    }
}
