package dev.agentfactory.relay.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.relay.CapturedLogs;
import dev.agentfactory.relay.change.RowChange;
import dev.agentfactory.relay.change.RowChange.Op;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.replica.StandbyApplyLock;
import tools.jackson.databind.json.JsonMapper;

/**
 * The standby sink against a migrated database of its own on the standby cluster, fed row images shaped as
 * Debezium gives them (uuid, jsonb and timestamptz as strings, bigint as Long): redeliveries, stale images
 * and stale deletes change nothing, and a call's changes apply parents first and in commit order per row.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandbySinkIT {

    private static final AtomicLong LSN = new AtomicLong(1_000);

    private final String db = "it_relay_sink_" + Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    private LocalStack stack;
    private StackEndpoints endpoints;
    private StandbySink sink;
    private PGSimpleDataSource standby;
    private final List<Runnable> detach = new ArrayList<>();

    @BeforeAll
    void setUp(StackEndpoints endpoints, LocalStack stack) {
        this.stack = stack;
        this.endpoints = endpoints;
        stack.standby().createDatabase(db);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(endpoints.standbyJdbcUrl(db)))
                .migrate();
        standby = new PGSimpleDataSource();
        standby.setUrl(endpoints.standbyJdbcUrl(db));
        // the role the relay writes the standby with (FACTORY_STANDBY_DB_USER), so a missing grant shows here
        standby.setUser("factory_writer");
        standby.setPassword(MigrationSettings.fromEnvironment(System.getenv()).writerPassword());
        sink = new StandbySink(standby, JsonMapper.builder().build(), 4242001L, Duration.ofSeconds(10));
    }

    @AfterEach
    void detachAppenders() {
        detach.forEach(Runnable::run);
        detach.clear();
    }

    @AfterAll
    void tearDown() {
        stack.standby().dropDatabase(db);
    }

    @Test
    void childrenListedBeforeTheirParentStillApplyAndARedeliveryChangesNothing() throws Exception {
        UUID id = UUID.randomUUID();
        List<RowChange> call = List.of(insert("agent_versions", agentVersion(id, 1)),
                insert("audit_log", audit(id, "first")), insert("agents", agent(id, 1, "one")));
        sink.apply(call);
        sink.apply(call);
        sink.apply(List.of(insert("audit_log", audit(id, "rewritten"))));

        assertThat(text("SELECT name || ':' || version FROM factory.agents WHERE id = '" + id + "'"))
                .isEqualTo("one:1");
        assertThat(text("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + id + "'")).isEqualTo("1");
        assertThat(text("SELECT string_agg(details->>'note', ',') FROM factory.audit_log WHERE entity_id = '" + id
                + "'")).isEqualTo("first");
    }

    @Test
    void anOlderImageNeverOverwritesANewerRow() throws Exception {
        UUID id = UUID.randomUUID();
        sink.apply(List.of(insert("agents", agent(id, 1, "one")), update("agents", agent(id, 2, "two"))));
        sink.apply(List.of(update("agents", agent(id, 1, "one"))));

        assertThat(text("SELECT name || ':' || version FROM factory.agents WHERE id = '" + id + "'"))
                .isEqualTo("two:2");
    }

    @Test
    void aDeleteOfAVersionedRowOnlyRemovesItWhenTheStandbyHoldsNoNewerVersion() throws Exception {
        UUID id = UUID.randomUUID();
        sink.apply(List.of(insert("prds", prd(id, 3))));
        sink.apply(List.of(delete("prds", prd(id, 2))));
        assertThat(text("SELECT version FROM factory.prds WHERE id = '" + id + "'")).isEqualTo("3");

        sink.apply(List.of(delete("prds", prd(id, 3))));
        assertThat(text("SELECT count(*) FROM factory.prds WHERE id = '" + id + "'")).isEqualTo("0");
    }

    @Test
    void aLinkUnlinkedAndLinkedAgainInOneCallEndsLinked() throws Exception {
        UUID agent = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        Map<String, Object> link = link(prd, agent);
        sink.apply(List.of(insert("agents", agent(agent, 1, "one")), insert("prds", prd(prd, 1)),
                insert("prd_agents", link), delete("prd_agents", link), insert("prd_agents", link)));
        assertThat(text("SELECT count(*) FROM factory.prd_agents WHERE prd_id = '" + prd + "'")).isEqualTo("1");

        sink.apply(List.of(insert("prd_agents", link), delete("prd_agents", link)));
        assertThat(text("SELECT count(*) FROM factory.prd_agents WHERE prd_id = '" + prd + "'")).isEqualTo("0");
    }

    @Test
    void aPurgeAppliesItsChildrenFirstAsOnThePrimaryAndAnEntityRecreatedWithThePurgedIdInTheSameCallStays()
            throws Exception {
        UUID agent = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        Map<String, Object> link = link(prd, agent);
        Map<String, Object> history = history(agent);
        sink.apply(List.of(insert("agents", agent(agent, 2, "one")), insert("prds", prd(prd, 1)),
                insert("agent_versions", agentVersion(agent, 1)), insert("agent_versions", agentVersion(agent, 2)),
                insert("agent_history", history), insert("prd_versions", prdVersion(prd, 1)),
                insert("prd_agents", link)));

        // The purges' transactions in commit order, children first as the primary's constraints demand, then
        // the agent created again under its id, all in one delivery.
        sink.apply(List.of(delete("prd_agents", link), delete("agent_history", history),
                delete("agent_versions", agentVersion(agent, 1)), delete("agent_versions", agentVersion(agent, 2)),
                delete("agents", agent(agent, 2, "one")),
                delete("prd_versions", prdVersion(prd, 1)), delete("prds", prd(prd, 1)),
                insert("agents", agent(agent, 1, "again")), insert("agent_versions", agentVersion(agent, 1))));

        assertThat(text("SELECT name || ':' || version FROM factory.agents WHERE id = '" + agent + "'"))
                .isEqualTo("again:1");
        assertThat(text("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + agent + "'")).isEqualTo("1");
        assertThat(text("SELECT count(*) FROM factory.agent_history WHERE agent_id = '" + agent + "'")).isEqualTo("0");
        assertThat(text("SELECT count(*) FROM factory.prd_agents WHERE agent_id = '" + agent + "'")).isEqualTo("0");
        assertThat(text("SELECT count(*) FROM factory.prds WHERE id = '" + prd + "'")).isEqualTo("0");
        assertThat(text("SELECT count(*) FROM factory.prd_versions WHERE prd_id = '" + prd + "'")).isEqualTo("0");
    }

    @Test
    void aSecondPurgeInADeliveryRunsAfterItsOwnLinksDeletesNotWithTheFirstPurge() throws Exception {
        UUID unlinked = UUID.randomUUID();
        UUID linked = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        Map<String, Object> link = link(prd, linked);
        sink.apply(List.of(insert("agents", agent(unlinked, 1, "x")), insert("agents", agent(linked, 1, "a")),
                insert("prds", prd(prd, 1)), insert("agent_versions", agentVersion(unlinked, 1)),
                insert("agent_versions", agentVersion(linked, 1)), insert("agent_history", history(unlinked)),
                insert("agent_history", history(linked)), insert("prd_agents", link)));

        // two purges in one delivery: the second agent's delete must not be batched with the first's, which goes
        // out ahead of the second purge's unlink (prd_agents_agent_id_fkey, on every retry)
        sink.apply(List.of(inTx(80, Op.DELETE, "agent_versions", agentVersion(unlinked, 1)),
                inTx(80, Op.DELETE, "agent_history", history(unlinked)),
                inTx(80, Op.DELETE, "agents", agent(unlinked, 1, "x")),
                inTx(81, Op.DELETE, "agent_versions", agentVersion(linked, 1)),
                inTx(81, Op.DELETE, "agent_history", history(linked)), inTx(81, Op.DELETE, "prd_agents", link),
                inTx(81, Op.DELETE, "agents", agent(linked, 1, "a"))));

        assertThat(text("SELECT count(*) FROM factory.agents WHERE id IN ('" + unlinked + "', '" + linked + "')"))
                .isEqualTo("0");
        assertThat(text("SELECT count(*) FROM factory.prd_agents WHERE prd_id = '" + prd + "'")).isEqualTo("0");
        assertThat(text("SELECT count(*) FROM factory.prds WHERE id = '" + prd + "'")).isEqualTo("1");
    }

    @Test
    void aHistoryEntryOfAnAgentCreatedAfterAPurgeInItsDeliveryGoesOutAfterItsAgent() throws Exception {
        UUID existing = UUID.randomUUID();
        UUID created = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        sink.apply(List.of(insert("agents", agent(existing, 1, "x")), insert("prds", prd(prd, 1)),
                insert("prd_versions", prdVersion(prd, 1))));

        // the new agent's history entry must not join the first entry's batch, which goes out ahead of the agents
        // batch (V4_3's reference trigger refuses it, on every retry)
        sink.apply(List.of(inTx(90, Op.INSERT, "agent_history", history(existing)),
                inTx(91, Op.DELETE, "prd_versions", prdVersion(prd, 1)), inTx(91, Op.DELETE, "prds", prd(prd, 1)),
                inTx(92, Op.INSERT, "agents", agent(created, 1, "b")),
                inTx(92, Op.INSERT, "agent_history", history(created))));

        assertThat(text("SELECT count(*) FROM factory.agent_history WHERE agent_id IN ('" + existing + "', '"
                + created + "')")).isEqualTo("2");
        assertThat(text("SELECT count(*) FROM factory.prds WHERE id = '" + prd + "'")).isEqualTo("0");
    }

    @Test
    void aSnapshotOfAPrdVersionsAheadReplacesTheStandbysOlderStatusThatTheLifecycleCouldNotReachInOneStep()
            throws Exception {
        UUID prd = UUID.randomUUID();
        sink.apply(List.of(insert("prds", prd(prd, 1))));

        // after a lost slot the relay starts over with a snapshot: each PRD at its latest version only (V4_6)
        Map<String, Object> approved = prd(prd, 3);
        approved.put("status", "approved");
        sink.apply(List.of(inTx(100, Op.SNAPSHOT, "prds", approved)));

        assertThat(text("SELECT status || ':' || version FROM factory.prds WHERE id = '" + prd + "'"))
                .isEqualTo("approved:3");
    }

    @Test
    void aLinkChangeDeliveredLateNeverUndoesTheNewerOneOfItsPrd() throws Exception {
        UUID agent = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        Map<String, Object> link = link(prd, agent);
        sink.apply(List.of(insert("agents", agent(agent, 1, "one")), insert("prds", prd(prd, 1))));
        List<RowChange> linked = List.of(inTx(10, Op.UPDATE, "prds", prd(prd, 2)),
                inTx(10, Op.INSERT, "prd_agents", link));
        List<RowChange> unlinked = List.of(inTx(11, Op.UPDATE, "prds", prd(prd, 3)),
                inTx(11, Op.DELETE, "prd_agents", link));
        List<RowChange> linkedAgain = List.of(inTx(12, Op.UPDATE, "prds", prd(prd, 4)),
                inTx(12, Op.INSERT, "prd_agents", link));

        // as a relay that lost its lock, or a timed-out attempt, may still commit after the newer delivery
        sink.apply(unlinked);
        sink.apply(linked);
        assertThat(text("SELECT count(*) FROM factory.prd_agents WHERE prd_id = '" + prd + "'")).isEqualTo("0");

        sink.apply(linkedAgain);
        sink.apply(unlinked);
        assertThat(text("SELECT count(*) FROM factory.prd_agents WHERE prd_id = '" + prd + "'")).isEqualTo("1");
        assertThat(text("SELECT version FROM factory.prds WHERE id = '" + prd + "'")).isEqualTo("4");
    }

    @Test
    void anUnlinkFollowedInItsDeliveryByANewerVersionOfItsPrdStillApplies() throws Exception {
        UUID agent = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        Map<String, Object> link = link(prd, agent);
        sink.apply(List.of(insert("agents", agent(agent, 1, "one")), insert("prds", prd(prd, 1)),
                insert("prd_agents", link)));

        // PRD rows go first, so the delivery's newest version is stored before the unlink of version 2 applies
        sink.apply(List.of(inTx(20, Op.UPDATE, "prds", prd(prd, 2)), inTx(20, Op.DELETE, "prd_agents", link),
                inTx(21, Op.UPDATE, "prds", prd(prd, 3))));

        assertThat(text("SELECT count(*) FROM factory.prd_agents WHERE prd_id = '" + prd + "'")).isEqualTo("0");
    }

    @Test
    void aPrdPurgedAndCreatedAgainInOneDeliveryLosesItsLinksAndTheRelayGoesOn() throws Exception {
        UUID agent = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        Map<String, Object> link = link(prd, agent);
        sink.apply(List.of(insert("agents", agent(agent, 1, "one")), insert("prds", prd(prd, 9)),
                insert("prd_agents", link)));

        Map<String, Object> again = prd(prd, 1);
        again.put("created_at", "2026-06-01T00:00:00Z");
        sink.apply(List.of(inTx(30, Op.DELETE, "prd_agents", link), inTx(30, Op.DELETE, "prds", prd(prd, 9)),
                inTx(31, Op.INSERT, "prds", again)));

        assertThat(text("SELECT version || ':' || created_at FROM factory.prds WHERE id = '" + prd + "'"))
                .startsWith("1:2026-06-01");
        assertThat(text("SELECT count(*) FROM factory.prd_agents WHERE prd_id = '" + prd + "'")).isEqualTo("0");
    }

    @Test
    void aPurgeDeliveredAgainAfterTheEntityWasCreatedAgainLeavesTheNewOneAlone() throws Exception {
        UUID agent = UUID.randomUUID();
        Map<String, Object> history = history(agent);
        sink.apply(List.of(insert("agents", agent(agent, 1, "old")), insert("agent_versions", agentVersion(agent, 1)),
                insert("agent_history", history)));
        List<RowChange> purge = List.of(inTx(40, Op.UPDATE, "agents", agent(agent, 2, "old")),
                inTx(40, Op.INSERT, "agent_versions", agentVersion(agent, 2)),
                inTx(41, Op.DELETE, "agent_history", history),
                inTx(41, Op.DELETE, "agent_versions", agentVersion(agent, 1)),
                inTx(41, Op.DELETE, "agent_versions", agentVersion(agent, 2)),
                inTx(41, Op.DELETE, "agents", agent(agent, 2, "old")));
        Map<String, Object> created = agent(agent, 1, "new");
        created.put("created_at", "2026-06-01T00:00:00Z");
        Map<String, Object> newHistory = history(UUID.randomUUID());
        newHistory.put("agent_id", agent.toString());
        List<RowChange> createdAgain = List.of(inTx(42, Op.INSERT, "agents", created),
                inTx(42, Op.INSERT, "agent_versions", agentVersion(agent, 1)),
                inTx(43, Op.INSERT, "agent_history", newHistory));

        sink.apply(purge);
        sink.apply(createdAgain);
        // redelivered from an offset before the purge (a relay restart, a sink out of attempts): the old
        // incarnation's update and delete must neither overwrite nor delete the new one, nor fail on its history.
        // Without the purge's floor, which would skip them all, so that the incarnation guard alone is tested: it
        // is what ops replay relies on.
        execute("DELETE FROM factory.cdc_purge_floors WHERE entity_id = '" + agent + "'");
        sink.apply(purge);
        assertThat(text("SELECT name || ':' || version FROM factory.agents WHERE id = '" + agent + "'"))
                .isEqualTo("new:1");
        sink.apply(createdAgain);

        assertThat(text("SELECT name || ':' || version FROM factory.agents WHERE id = '" + agent + "'"))
                .isEqualTo("new:1");
        assertThat(text("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + agent + "'")).isEqualTo("1");
        assertThat(text("SELECT count(*) FROM factory.agent_history WHERE agent_id = '" + agent + "'")).isEqualTo("1");
    }

    @Test
    void aPurgeDeliveredAgainAfterTheIdWasCreatedAndLinkedAgainKeepsTheNewLinks() throws Exception {
        UUID agent = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        Map<String, Object> link = link(prd, agent);
        sink.apply(List.of(insert("agents", agent(agent, 1, "old")), insert("prds", prd(prd, 2)),
                insert("prd_agents", link)));
        List<RowChange> purge = List.of(inTx(50, Op.DELETE, "prd_agents", link),
                inTx(50, Op.DELETE, "agents", agent(agent, 1, "old")));
        Map<String, Object> created = agent(agent, 1, "new");
        created.put("created_at", "2026-06-01T00:00:00Z");
        List<RowChange> createdAndLinked = List.of(inTx(51, Op.INSERT, "agents", created),
                inTx(52, Op.UPDATE, "prds", prd(prd, 3)), inTx(52, Op.INSERT, "prd_agents", link));
        List<RowChange> prdMovedOn = List.of(inTx(53, Op.UPDATE, "prds", prd(prd, 4)));

        sink.apply(purge);
        sink.apply(createdAndLinked);
        sink.apply(prdMovedOn);
        // all three again, from an offset before the purge (a relay restart before its offset flush): the purge's
        // unlink must not remove the new link, which its own delivery, guarded by a PRD now newer, would not restore
        sink.apply(purge);
        sink.apply(createdAndLinked);
        sink.apply(prdMovedOn);

        assertThat(text("SELECT count(*) FROM factory.prd_agents WHERE prd_id = '" + prd + "'")).isEqualTo("1");
        assertThat(text("SELECT name || ':' || version FROM factory.agents WHERE id = '" + agent + "'"))
                .isEqualTo("new:1");
    }

    @Test
    void aDeliveryFromBeforeAPurgeAppliedLateDoesNotBringThePurgedEntityBack() throws Exception {
        UUID agent = UUID.randomUUID();
        sink.apply(List.of(insert("agents", agent(agent, 1, "old")), insert("agent_versions", agentVersion(agent, 1))));
        List<RowChange> late = List.of(inTx(60, Op.UPDATE, "agents", agent(agent, 2, "old")),
                inTx(60, Op.INSERT, "agent_versions", agentVersion(agent, 2)));
        List<RowChange> purge = List.of(inTx(61, Op.DELETE, "agent_versions", agentVersion(agent, 1)),
                inTx(61, Op.DELETE, "agent_versions", agentVersion(agent, 2)),
                inTx(61, Op.DELETE, "agents", agent(agent, 2, "old")));
        Map<String, Object> created = agent(agent, 1, "new");
        created.put("created_at", "2026-06-01T00:00:00Z");
        List<RowChange> createdAgain = List.of(inTx(62, Op.INSERT, "agents", created),
                inTx(62, Op.INSERT, "agent_versions", agentVersion(agent, 1)));

        // the relay that took over applies the purge; the one that lost its lock commits its older delivery after it
        sink.apply(purge);
        sink.apply(late);
        assertThat(text("SELECT count(*) FROM factory.agents WHERE id = '" + agent + "'")).isEqualTo("0");
        assertThat(text("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + agent + "'")).isEqualTo("0");

        sink.apply(createdAgain);
        assertThat(text("SELECT name || ':' || version FROM factory.agents WHERE id = '" + agent + "'"))
                .isEqualTo("new:1");
        assertThat(text("SELECT count(*) FROM factory.agent_versions WHERE agent_id = '" + agent + "'")).isEqualTo("1");
    }

    @Test
    void anErasedAuditRowDeliveredLateIsNotWrittenBack() throws Exception {
        UUID agent = UUID.randomUUID();
        Map<String, Object> audit = audit(agent, "payload");
        List<RowChange> late = List.of(inTx(70, Op.UPDATE, "agents", agent(agent, 1, "old")),
                inTx(70, Op.INSERT, "audit_log", audit));
        Map<String, Object> auditKey = new LinkedHashMap<>(audit);
        auditKey.replaceAll((column, value) -> column.equals("id") ? value : "");
        List<RowChange> purge = List.of(inTx(71, Op.DELETE, "audit_log", auditKey),
                inTx(71, Op.DELETE, "agents", agent(agent, 1, "old")));

        sink.apply(purge);
        sink.apply(late); // a relay that lost its lock commits its older delivery after the purge

        assertThat(text("SELECT count(*) FROM factory.audit_log WHERE entity_id = '" + agent + "'")).isEqualTo("0");
        assertThat(text("SELECT count(*) FROM factory.agents WHERE id = '" + agent + "'")).isEqualTo("0");
    }

    @Test
    void aDeliveryWaitsForAnotherRelaysStandbyTransactionAndGivesUpAtTheLockTimeout() throws Exception {
        UUID agent = UUID.randomUUID();
        StandbySink impatient = new StandbySink(standby, JsonMapper.builder().build(), 4242001L,
                Duration.ofMillis(300));
        try (Connection other = standby.getConnection()) {
            other.setAutoCommit(false);
            // another relay's delivery in flight (one that lost its leader lock, say): it holds the apply lock
            StandbyApplyLock.take(other, 4242001L, Duration.ofSeconds(10));

            assertThatThrownBy(() -> impatient.apply(List.of(insert("agents", agent(agent, 1, "one")))))
                    .isInstanceOf(SQLException.class).hasMessageContaining("lock timeout");
            other.rollback();
        }
        impatient.apply(List.of(insert("agents", agent(agent, 1, "one"))));
        assertThat(text("SELECT count(*) FROM factory.agents WHERE id = '" + agent + "'")).isEqualTo("1");
    }

    @Test
    void aStandbyThatIsTheRelaysOwnPrimaryIsRefusedAlsoUnderANegativeLockKey() throws Exception {
        try (Connection leader = standby.getConnection(); Statement st = leader.createStatement()) {
            st.execute("SELECT pg_advisory_lock(-4242001)");
            StandbySink ontoItself = new StandbySink(standby, JsonMapper.builder().build(), -4242001L,
                    Duration.ofSeconds(10));

            assertThatThrownBy(() -> ontoItself.apply(List.of(insert("agents", agent(UUID.randomUUID(), 1, "one")))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("the relay's own primary");
        }
    }

    @Test
    void aStandbyThatIsTheRelaysOwnPrimaryIsRefusedAndNothingIsApplied() throws Exception {
        UUID agent = UUID.randomUUID();
        // after a failover, the relay repointed at the promoted standby while its standby settings still name it:
        // its leader lock is held in the very database its standby sink writes
        try (Connection leader = standby.getConnection(); Statement st = leader.createStatement()) {
            st.execute("SELECT pg_advisory_lock(4242001)");
            StandbySink ontoItself = new StandbySink(standby, JsonMapper.builder().build(), 4242001L,
                    Duration.ofSeconds(10));

            assertThatThrownBy(() -> ontoItself.apply(List.of(insert("agents", agent(agent, 1, "one")))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("the relay's own primary")
                    .hasMessageContaining("FACTORY_STANDBY_ENABLED=false");
        }
        assertThat(text("SELECT count(*) FROM factory.agents WHERE id = '" + agent + "'")).isEqualTo("0");
        // the same lock key held in another database (a relay whose primary this is not) does not count
        try (Connection elsewhere = DriverManager.getConnection(endpoints.standbyJdbcUrl("postgres"),
                endpoints.superuser(), endpoints.superuserPassword()); Statement st = elsewhere.createStatement()) {
            st.execute("SELECT pg_advisory_lock(4242001)");
            new StandbySink(standby, JsonMapper.builder().build(), 4242001L, Duration.ofSeconds(10))
                    .apply(List.of(insert("agents", agent(agent, 1, "one"))));
        }
        assertThat(text("SELECT count(*) FROM factory.agents WHERE id = '" + agent + "'")).isEqualTo("1");
    }

    @Test
    void prunedOutcomesAndErasedAuditRowsAreDeletedOnTheStandbyFromKeyOnlyImages() throws Exception {
        UUID entity = UUID.randomUUID();
        Map<String, Object> outcome = processed(entity);
        Map<String, Object> audit = audit(entity, "erased");
        sink.apply(List.of(insert("processed_events", outcome), insert("audit_log", audit)));

        // as Debezium gives a delete under the tables' default replica identity: the key, other columns empty
        Map<String, Object> outcomeKey = new LinkedHashMap<>(outcome);
        outcomeKey.replaceAll((column, value) -> column.equals("event_id") ? value : "");
        Map<String, Object> auditKey = new LinkedHashMap<>(audit);
        auditKey.replaceAll((column, value) -> column.equals("id") ? value : "");
        sink.apply(List.of(delete("processed_events", outcomeKey), delete("audit_log", auditKey)));

        assertThat(text("SELECT count(*) FROM factory.processed_events WHERE entity_id = '" + entity + "'"))
                .isEqualTo("0");
        assertThat(text("SELECT count(*) FROM factory.audit_log WHERE entity_id = '" + entity + "'")).isEqualTo("0");
    }

    @Test
    void aSnapshotAgentTakingTheSlugOfAnAgentPurgedMeanwhileRemovesThatAgentWithItsVersionsHistoryLinksAndAudit()
            throws Exception {
        UUID purged = UUID.randomUUID();
        UUID taker = UUID.randomUUID();
        UUID prd = UUID.randomUUID();
        String slug = "s-" + purged;
        sink.apply(List.of(insert("agents", DebeziumRows.agent(purged, slug, 2, "purged")), insert("prds", prd(prd, 1)),
                insert("agent_versions", agentVersion(purged, 1)), insert("agent_versions", agentVersion(purged, 2)),
                insert("agent_history", history(purged)), insert("prd_agents", link(prd, purged)),
                insert("audit_log", audit(purged, "payload"))));
        ListAppender<ILoggingEvent> logged = capture(SnapshotSlugHolders.class);

        // after a lost slot: the agent was purged on the primary and another took its slug; the snapshot has no delete
        long snapshotLsn = LSN.addAndGet(100);
        sink.apply(List.of(snapshot("agents", DebeziumRows.agent(taker, slug, 1, "taker"), snapshotLsn)));

        assertThat(text("SELECT id || ':' || name FROM factory.agents WHERE slug = '" + slug + "'"))
                .isEqualTo(taker + ":taker");
        assertThat(rowsOf("agents", "id", purged)).isEqualTo(0);
        assertThat(rowsOf("agent_versions", "agent_id", purged)).isEqualTo(0);
        assertThat(rowsOf("agent_history", "agent_id", purged)).isEqualTo(0);
        assertThat(rowsOf("prd_agents", "agent_id", purged)).isEqualTo(0);
        assertThat(rowsOf("audit_log", "entity_id", purged)).isEqualTo(0);
        assertThat(rowsOf("prds", "id", prd)).isEqualTo(1);
        assertThat(floorOf("agents", purged)).isEqualTo(snapshotLsn - 1);
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains(purged.toString(), taker.toString());
    }

    @Test
    void aSnapshotPrdTakingTheSlugOfAPrdPurgedMeanwhileRemovesThatPrdAndItsVersionsAndLinksNotTheLinkedAgent()
            throws Exception {
        UUID purged = UUID.randomUUID();
        UUID taker = UUID.randomUUID();
        UUID agent = UUID.randomUUID();
        Map<String, Object> held = prd(purged, 1);
        Map<String, Object> taking = prd(taker, 3);
        taking.put("slug", held.get("slug"));
        taking.put("status", "approved");
        sink.apply(List.of(insert("agents", agent(agent, 1, "linked")), insert("prds", held),
                insert("prd_versions", prdVersion(purged, 1)), insert("prd_agents", link(purged, agent))));

        long snapshotLsn = LSN.addAndGet(100);
        sink.apply(List.of(snapshot("prds", taking, snapshotLsn), snapshot("prd_versions", prdVersion(taker, 3),
                snapshotLsn), snapshot("prd_agents", link(taker, agent), snapshotLsn)));

        assertThat(text("SELECT id || ':' || status FROM factory.prds WHERE slug = '" + held.get("slug") + "'"))
                .isEqualTo(taker + ":approved");
        assertThat(text("SELECT string_agg(prd_id::text, ',') FROM factory.prd_agents WHERE agent_id = '" + agent
                + "'")).isEqualTo(taker.toString());
        assertThat(rowsOf("prd_versions", "prd_id", purged)).isEqualTo(0);
        assertThat(rowsOf("agents", "id", agent)).isEqualTo(1);
        assertThat(floorOf("prds", purged)).isEqualTo(snapshotLsn - 1);
    }

    @Test
    void anAgentRemovedForItsSlugStaysGoneForItsOlderChangesButComesBackWhenTheSnapshotHoldsItsIdCreatedAgain()
            throws Exception {
        UUID purged = UUID.randomUUID();
        String slug = "s-" + purged;
        sink.apply(List.of(insert("agents", DebeziumRows.agent(purged, slug, 1, "purged"))));
        // from before the purge, applied late by a relay that lost its lock
        List<RowChange> late = List.of(inTx(80, Op.UPDATE, "agents", DebeziumRows.agent(purged, slug, 2, "purged")),
                inTx(80, Op.INSERT, "agent_versions", agentVersion(purged, 2)));
        long snapshotLsn = LSN.addAndGet(100);
        sink.apply(List.of(snapshot("agents", DebeziumRows.agent(UUID.randomUUID(), slug, 1, "taker"), snapshotLsn)));

        sink.apply(late);
        assertThat(rowsOf("agents", "id", purged)).isEqualTo(0);
        assertThat(rowsOf("agent_versions", "agent_id", purged)).isEqualTo(0);

        // the id created again after its purge, with another slug, read later in the same snapshot (heap order)
        Map<String, Object> again = DebeziumRows.agent(purged, "again-" + purged, 1, "again");
        again.put("created_at", "2026-06-01T00:00:00Z");
        sink.apply(List.of(snapshot("agents", again, snapshotLsn), snapshot("agent_versions",
                agentVersion(purged, 1), snapshotLsn)));
        assertThat(text("SELECT name || ':' || version FROM factory.agents WHERE id = '" + purged + "'"))
                .isEqualTo("again:1");
        assertThat(rowsOf("agent_versions", "agent_id", purged)).isEqualTo(1);
    }

    @Test
    void aStreamedAgentTakingTheSlugOfAnotherStandbyAgentStillFailsOnTheUniqueSlug() throws Exception {
        UUID holder = UUID.randomUUID();
        String slug = "s-" + holder;
        sink.apply(List.of(insert("agents", DebeziumRows.agent(holder, slug, 1, "holder"))));

        assertThatThrownBy(() -> sink.apply(List.of(insert("agents",
                DebeziumRows.agent(UUID.randomUUID(), slug, 1, "taker")))))
                .isInstanceOf(SQLException.class).hasMessageContaining("agents_slug_unique")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23505");
        assertThat(text("SELECT id::text FROM factory.agents WHERE slug = '" + slug + "'"))
                .isEqualTo(holder.toString());
        assertThat(rowsOf("cdc_purge_floors", "entity_id", holder)).isEqualTo(0);
    }

    /** Changes get increasing LSNs in the order the tests build them, which is their commit order. */
    private static RowChange inTx(long tx, Op op, String table, Map<String, Object> row) {
        Map<String, Object> before = op == Op.INSERT || op == Op.SNAPSHOT ? null : row;
        return new RowChange(table, op, before, op == Op.DELETE ? null : row, tx, LSN.incrementAndGet(),
                Instant.now());
    }

    /** A snapshot read: every row of one snapshot carries the LSN the snapshot was taken at. */
    private static RowChange snapshot(String table, Map<String, Object> row, long lsn) {
        return new RowChange(table, Op.SNAPSHOT, null, row, 900L, lsn, Instant.now());
    }

    /** What {@code type} logs from now until the test's end. */
    private ListAppender<ILoggingEvent> capture(Class<?> type) {
        return CapturedLogs.capture(type, detach);
    }

    private static RowChange insert(String table, Map<String, Object> row) {
        return inTx(1, Op.INSERT, table, row);
    }

    private static RowChange update(String table, Map<String, Object> row) {
        return inTx(1, Op.UPDATE, table, row);
    }

    private static RowChange delete(String table, Map<String, Object> row) {
        return inTx(1, Op.DELETE, table, row);
    }

    private static Map<String, Object> agent(UUID id, long version, String name) {
        return DebeziumRows.agent(id, "a-" + id, version, name);
    }

    private static Map<String, Object> agentVersion(UUID agent, long version) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("agent_id", agent.toString());
        r.put("version", version);
        r.put("change_type", "create");
        r.put("snapshot", "{}");
        r.put("actor", "it");
        r.put("event_id", UUID.randomUUID().toString());
        r.put("committed_at", "2025-01-01T00:00:00Z");
        return r;
    }

    private static Map<String, Object> history(UUID agent) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seq", Math.abs(agent.getLeastSignificantBits() % 1_000_000_000L) + 1);
        r.put("agent_id", agent.toString());
        r.put("kind", "learning");
        r.put("entry", "{}");
        r.put("recorded_at", "2025-01-01T00:00:00Z");
        r.put("actor", "it");
        r.put("event_id", UUID.randomUUID().toString());
        return r;
    }

    private static Map<String, Object> prdVersion(UUID prd, long version) {
        Map<String, Object> r = agentVersion(prd, version);
        r.put("prd_id", r.remove("agent_id"));
        return r;
    }

    private static Map<String, Object> audit(UUID entity, String note) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", Math.abs(entity.getMostSignificantBits() % 1_000_000_000L) + 1);
        r.put("entity_type", "agent");
        r.put("entity_id", entity.toString());
        r.put("version", 1L);
        r.put("command_type", "agent.create");
        r.put("actor", "it");
        r.put("event_id", UUID.randomUUID().toString());
        r.put("occurred_at", "2025-01-01T00:00:00Z");
        r.put("committed_at", "2025-01-01T00:00:00Z");
        r.put("details", "{\"note\": \"" + note + "\"}");
        return r;
    }

    private static Map<String, Object> processed(UUID entity) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("event_id", UUID.randomUUID().toString());
        r.put("entity_type", "agent");
        r.put("entity_id", entity.toString());
        r.put("command_type", "agent.create");
        r.put("outcome", "APPLIED");
        r.put("version", 1L);
        r.put("reason", null);
        r.put("processed_at", "2025-01-01T00:00:00Z");
        return r;
    }

    private static Map<String, Object> prd(UUID id, long version) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id.toString());
        r.put("slug", "p-" + id);
        r.put("title", "PRD");
        r.put("body", "");
        r.put("status", "draft");
        r.put("metadata", "{}");
        r.put("owner", null);
        r.put("version", version);
        r.put("created_at", "2025-01-01T00:00:00Z");
        r.put("created_by", "it");
        r.put("updated_at", "2025-01-01T00:00:00Z");
        r.put("updated_by", "it");
        r.put("deleted_at", null);
        return r;
    }

    private static Map<String, Object> link(UUID prd, UUID agent) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("prd_id", prd.toString());
        r.put("agent_id", agent.toString());
        r.put("role", "implementer");
        r.put("linked_at", "2025-01-01T00:00:00Z");
        r.put("linked_by", "it");
        return r;
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = standby.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** How many rows of {@code table} have {@code id} in {@code column}. */
    private int rowsOf(String table, String column, UUID id) throws SQLException {
        return Integer.parseInt(text("SELECT count(*) FROM factory." + table + " WHERE " + column + " = '" + id + "'"));
    }

    /** The standby's purge floor of entity {@code id} of {@code table}. */
    private long floorOf(String table, UUID id) throws SQLException {
        return Long.parseLong(text("SELECT purge_lsn FROM factory.cdc_purge_floors WHERE entity_table = '" + table
                + "' AND entity_id = '" + id + "'"));
    }

    private String text(String sql) throws SQLException {
        try (Connection c = standby.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
