package dev.agentfactory.worker.writes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import org.apache.kafka.common.TopicPartition;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionTemplate;

import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteEnvelope;

/**
 * Applies a run of consumed records in ONE database transaction: lock the partitions' stored offsets and
 * set aside records already committed ({@link Redelivery}), dead-letter the invalid ones, load the touched rows, decide every
 * event in order in memory, write set-wise, advance the offsets. Commit or nothing.
 */
final class BatchHandler {

    /**
     * Lets this transaction stay idle for the first parameter's milliseconds, unless the session already allows that
     * long or has no limit (0): {@code factory_writer}'s 60 s is shorter than dead letters may wait for their acks.
     */
    static final String ALLOW_IDLE = """
            SELECT set_config('idle_in_transaction_session_timeout', ?::text, true)
            WHERE (SELECT setting::bigint FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout')
                  BETWEEN 1 AND ? - 1""";
    /** The setting's largest value, in milliseconds. */
    static final long MAX_IDLE_MILLIS = Integer.MAX_VALUE;

    /** Past the dead letters' longest wait, for the statements after it. */
    static final Duration IDLE_MARGIN = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final TransactionTemplate tx;
    private final OffsetStore offsets;
    private final BatchLoader loader = new BatchLoader();
    private final Redelivery redelivery = new Redelivery(loader);
    private final BatchWriter writer = new BatchWriter();
    private final EventApplier applier;
    private final long maxBatchChars;
    private final AppendCopy appendCopy = new AppendCopy();
    private final Clock clock;

    BatchHandler(DataSource dataSource, TransactionTemplate tx, OffsetStore offsets, Clock clock, int maxEntityBytes,
                 long maxBatchChars) {
        this.maxBatchChars = maxBatchChars;
        this.dataSource = dataSource;
        this.applier = new EventApplier(maxEntityBytes);
        this.tx = tx;
        this.offsets = offsets;
        this.clock = clock;
    }

    /**
     * @param poll    the poll {@code items} are all or part of ({@link Redelivery#sort})
     * @param rejects events to record as REJECTED without running their rules (isolated database refusals)
     */
    BatchResult apply(List<Item> items, List<Item> poll, Map<UUID, String> rejects, DeadLetterSink dlq) {
        return tx.execute(status -> {
            Connection c = DataSourceUtils.getConnection(dataSource);
            try {
                return inTransaction(c, items, poll, rejects, dlq);
            } catch (SQLException e) {
                throw new BatchSqlException(e);
            } finally {
                DataSourceUtils.releaseConnection(c, dataSource);
            }
        });
    }

    private BatchResult inTransaction(Connection c, List<Item> items, List<Item> poll, Map<UUID, String> rejects,
                                      DeadLetterSink dlq) throws SQLException {
        Map<TopicPartition, Long> first = new HashMap<>();
        Map<TopicPartition, Long> next = new HashMap<>();
        for (Item i : items) {
            TopicPartition tp = new TopicPartition(i.record().topic(), i.record().partition());
            first.merge(tp, i.record().offset(), Math::min);
            next.merge(tp, i.record().offset() + 1, Math::max);
        }
        Map<TopicPartition, Long> stored = offsets.lock(c, next.keySet());
        var now = clock.instant();
        Redelivery.Sorted sorted = redelivery.sort(c, items, poll, stored, now);
        List<Item> fresh = sorted.fresh();
        List<Item> valid = fresh.stream().filter(Item::valid).toList();
        List<WriteEnvelope> events = valid.stream().map(Item::envelope).toList();
        LoadedChars loaded = new LoadedChars(maxBatchChars, events.size());
        BatchState state = load(c, events, loaded);
        List<BatchResult.Applied> outcomes = new ArrayList<>(events.size());
        Staged staged = new Staged(state);
        for (Item i : valid) {
            WriteEnvelope e = i.envelope();
            String reason = rejects.get(e.eventId());
            outcomes.add(new BatchResult.Applied(e, reason != null ? applier.reject(e, reason, state, now)
                    : applier.apply(e, state, now), i.replayed()));
            // The rows loaded are in memory with what is staged, so both count against the one budget.
            if (outcomes.size() > 1 && loaded.chars() + staged.chars() > maxBatchChars) {
                throw new BatchTooLarge(loaded.chars() + staged.chars(), outcomes.size(), maxBatchChars);
            }
        }
        writer.write(c, state, appendCopy.allowed(c));
        // Dead letters go out after the writes (a batch the database refuses is split and retried, and must
        // not dead-letter twice) and before the commit that moves the offsets past them.
        List<Item> invalid = fresh.stream().filter(i -> !i.valid()).toList();
        if (!invalid.isEmpty()) {
            // A broker slower than the session's idle limit would otherwise have the server end the session under
            // the wait: the batch then failed and was retried, its dead letters, delivered meanwhile, sent again.
            allowIdle(c, dlq.longestWait());
            dlq.publish(invalid);
        }
        offsets.advance(c, next);
        return new BatchResult(outcomes, invalid.size() - sorted.deadLetteredAgain(), sorted.restated(),
                sorted.consumed(), storedBelow(first, stored));
    }

    /**
     * The stored offsets below the first record of their partition here ({@link BatchResult#storedBelow}). A row at 0
     * was never committed (the lock creates it): nothing was stored for its partition, whose log's start may be above
     * 0 for reasons of no concern to this database (the records before this group or database existed).
     */
    private static Map<TopicPartition, Long> storedBelow(Map<TopicPartition, Long> first,
                                                         Map<TopicPartition, Long> stored) {
        Map<TopicPartition, Long> below = new HashMap<>();
        stored.forEach((tp, offset) -> {
            if (offset > 0 && first.get(tp) > offset) {
                below.put(tp, offset);
            }
        });
        return below;
    }

    private static void allowIdle(Connection c, Duration wait) throws SQLException {
        if (wait.isZero()) {
            return;
        }
        // A producer told to wait for ever (max.block.ms or delivery.timeout.ms at their maximum) gets the longest.
        Duration allowed = wait.plus(IDLE_MARGIN);
        long millis = allowed.compareTo(Duration.ofMillis(MAX_IDLE_MILLIS)) >= 0 ? MAX_IDLE_MILLIS : allowed.toMillis();
        try (PreparedStatement ps = c.prepareStatement(ALLOW_IDLE)) {
            ps.setLong(1, millis);
            ps.setLong(2, millis);
            ps.executeQuery().close();
        }
    }

    private BatchState load(Connection c, List<WriteEnvelope> events, LoadedChars loaded) throws SQLException {
        BatchState s = new BatchState();
        if (events.isEmpty()) {
            return s;
        }
        Set<UUID> eventIds = new HashSet<>();
        Set<UUID> agentIds = new HashSet<>();
        Set<UUID> prdIds = new HashSet<>();
        Set<UUID> linked = new HashSet<>();
        Set<String> agentSlugs = new HashSet<>();
        Set<String> prdSlugs = new HashSet<>();
        for (WriteEnvelope e : events) {
            eventIds.add(e.eventId());
            switch (e.type().entityType()) {
                case AGENT -> agentIds.add(e.entityId());
                case PRD -> prdIds.add(e.entityId());
            }
            if (e.command() instanceof WriteCommand.AgentCreate a) {
                agentSlugs.add(a.slug());
            } else if (e.command() instanceof WriteCommand.PrdCreate p) {
                prdSlugs.add(p.slug());
            } else if (e.command() instanceof WriteCommand.PrdLinkAgent l) {
                linked.add(l.agentId());
            }
        }
        linked.removeAll(agentIds);
        loader.loadProcessed(c, eventIds, s);
        loader.loadAgents(c, agentIds, s.agents, loaded);
        loader.loadPrds(c, prdIds, s, loaded);
        loader.loadLinkedAgents(c, linked, s.referencedAgents);
        loader.loadSlugs(c, agentSlugs, prdSlugs, s);
        return s;
    }

    /** The characters of snapshot and history text a batch has staged, counted as its rows are added. */
    private static final class Staged {
        private final BatchState state;
        private int agentVersions;
        private int prdVersions;
        private int history;
        private long chars;

        Staged(BatchState state) {
            this.state = state;
        }

        long chars() {
            for (; agentVersions < state.agentVersions.size(); agentVersions++) {
                chars += state.agentVersions.get(agentVersions).snapshot().length();
            }
            for (; prdVersions < state.prdVersions.size(); prdVersions++) {
                chars += state.prdVersions.get(prdVersions).snapshot().length();
            }
            for (; history < state.history.size(); history++) {
                chars += state.history.get(history).entry().length();
            }
            return chars;
        }
    }
}
