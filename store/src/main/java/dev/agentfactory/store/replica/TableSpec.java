package dev.agentfactory.store.replica;

import java.util.List;

/**
 * A factory table as recovery tools see it: its primary key, the column that orders its versions (if any),
 * its identity column (whose sequence a restored or promoted copy must move past the copied rows), whether
 * its rows never change once written, and the columns the audit topics carry faithfully enough for a replay
 * to reproduce them. Shared by {@code ops} and the CDC relay's standby sink, so both apply and compare rows
 * the same way.
 *
 * @param appendOnly rows are inserted and never updated (version snapshots, history, audit and dedup records):
 *                 a copy applies them with {@link RowApplier#insertIfAbsent}, never overwriting a stored one
 * @param replayed columns a replay from the audit topics reproduces exactly; empty when the table is not
 *                 rebuilt by replay (bookkeeping the audit contract does not carry)
 */
public record TableSpec(String name, List<String> key, String versionColumn, String identityColumn,
                        boolean appendOnly, List<String> replayed) {

    public static final TableSpec AGENTS = new TableSpec("agents", List.of("id"), "version", null, false, List.of("*"));
    public static final TableSpec PRDS = new TableSpec("prds", List.of("id"), "version", null, false, List.of("*"));
    public static final TableSpec AGENT_VERSIONS = new TableSpec("agent_versions", List.of("agent_id", "version"),
            null, null, true, List.of("agent_id", "version", "change_type", "actor", "event_id"));
    public static final TableSpec AGENT_HISTORY = new TableSpec("agent_history", List.of("seq"), null, "seq", true,
            List.of("*"));
    public static final TableSpec PRD_VERSIONS = new TableSpec("prd_versions", List.of("prd_id", "version"),
            null, null, true, List.of("prd_id", "version", "change_type", "actor", "event_id"));
    public static final TableSpec PRD_AGENTS = new TableSpec("prd_agents", List.of("prd_id", "agent_id"), null, null,
            false, List.of("*"));
    public static final TableSpec AUDIT_LOG = new TableSpec("audit_log", List.of("id"), null, "id", true, List.of());
    public static final TableSpec PROCESSED_EVENTS = new TableSpec("processed_events", List.of("event_id"), null,
            null, true, List.of());
    public static final TableSpec INGEST_OFFSETS = new TableSpec("ingest_offsets",
            List.of("consumer_group", "topic", "partition"), null, null, false, List.of());

    /** Every data table of schema factory, parents before children (the order a restore loads them). */
    public static final List<TableSpec> FACTORY = List.of(AGENTS, PRDS, AGENT_VERSIONS, AGENT_HISTORY, PRD_VERSIONS,
            PRD_AGENTS, AUDIT_LOG, PROCESSED_EVENTS, INGEST_OFFSETS);

    public TableSpec {
        key = List.copyOf(key);
        replayed = List.copyOf(replayed);
    }

    /**
     * The column that tells two incarnations of one id apart, or null: an entity an operator purged and that was
     * created again under its id starts at version 1 again, so versions alone would let a redelivered change of
     * the purged one overwrite or delete the new one. A versioned entity row keeps its {@code created_at} for
     * life, and a new incarnation is created at another time.
     */
    public String incarnationColumn() {
        return versionColumn == null ? null : "created_at";
    }

    public static TableSpec named(String name) {
        return FACTORY.stream().filter(t -> t.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("factory has no table " + name));
    }

    public String qualified() {
        return "factory." + quote(name);
    }

    public boolean isReplayed() {
        return !replayed.isEmpty();
    }

    /** The SQL text of one row over the given columns ("*" = the whole row), for hashing. */
    String rowText(List<String> columns, String alias) {
        if (columns.equals(List.of("*"))) {
            return alias + "::text";
        }
        return "row(" + String.join(", ", columns.stream().map(c -> alias + "." + quote(c)).toList()) + ")::text";
    }

    String keyText(String alias) {
        return key.size() == 1 ? alias + "." + quote(key.get(0)) + "::text" : rowText(key, alias);
    }

    String keyOrder(String alias) {
        return String.join(", ", key.stream().map(c -> alias + "." + quote(c)).toList());
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
