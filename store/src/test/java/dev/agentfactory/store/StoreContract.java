package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.agent.HistoryEntry;
import dev.agentfactory.store.prd.Prd;
import dev.agentfactory.store.prd.PrdAgentLink;
import dev.agentfactory.store.prd.PrdStatus;
import dev.agentfactory.contracts.WriteOutcome;

/**
 * The behaviour every store implementation owes its callers. Run against the in-memory store
 * ({@code InMemoryStoreContractTest}) and PostgreSQL ({@code JdbcStoreIT}); {@link #store()} is empty
 * at the start of each test.
 */
abstract class StoreContract {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");

    protected abstract Store store();

    @Test
    void aCreatedAgentIsFoundByIdAndBySlugWithMicrosecondTimestamps() {
        Agent a = agent("scout", 1, T0);
        assertThat(store().agents().create(a, change("create"))).isInstanceOf(WriteResult.Applied.class);

        Agent found = store().agents().findById(a.id()).orElseThrow();
        assertThat(found.slug()).isEqualTo("scout");
        assertThat(found.config()).isEqualTo(Map.of("model", "m1", "depth", 3));
        assertThat(found.updatedAt()).isEqualTo(T0.truncatedTo(ChronoUnit.MICROS));
        assertThat(store().agents().findBySlug("scout")).contains(found);
        assertThat(store().agents().findById(UUID.randomUUID())).isEmpty();
    }

    @Test
    void aReplayedCreateIsStaleAndATakenSlugIsRejected() {
        Agent a = agent("scout", 1, T0);
        store().agents().create(a, change("create"));
        assertThat(store().agents().create(a, change("create"))).isEqualTo(new WriteResult.Stale<Agent>(1));
        var other = store().agents().create(agent("scout", 1, T0), change("create"));
        assertThat(other).isInstanceOf(WriteResult.Rejected.class);
        assertThat(((WriteResult.Rejected<Agent>) other).reason()).contains("scout");
    }

    @Test
    void anInvalidAgentIsRejectedWithItsReason() {
        var result = store().agents().create(agent("Not A Slug", 1, T0), change("create"));
        assertThat(result).isInstanceOf(WriteResult.Rejected.class);
        assertThat(((WriteResult.Rejected<Agent>) result).reason()).contains("slug");
    }

    /** An emoji is one character to PostgreSQL's char_length and to the codec, though two UTF-16 units. */
    @Test
    void lengthLimitsCountCharactersNotUtf16Units() {
        String emoji = "\uD83D\uDE00";
        Agent atLimits = named(agent("astral", 1, T0), emoji.repeat(200), emoji.repeat(100));
        assertThat(store().agents().create(atLimits, change("create"))).isInstanceOf(WriteResult.Applied.class);
        assertThat(store().agents().findById(atLimits.id()).orElseThrow().name()).isEqualTo(emoji.repeat(200));
        assertThat(store().agents().create(named(agent("long-name", 1, T0), emoji.repeat(201), "k"), change("create")))
                .isInstanceOf(WriteResult.Rejected.class);
        assertThat(store().agents().create(named(agent("long-kind", 1, T0), "n", emoji.repeat(101)), change("create")))
                .isInstanceOf(WriteResult.Rejected.class);

        Prd p = prd("astral", 1, PrdStatus.DRAFT);
        assertThat(store().prds().create(withTitle(p, emoji.repeat(300)), change("create")))
                .isInstanceOf(WriteResult.Applied.class);
        assertThat(store().prds().create(withTitle(prd("astral-long", 1, PrdStatus.DRAFT), emoji.repeat(301)),
                change("create"))).isInstanceOf(WriteResult.Rejected.class);
    }

    @Test
    void eachUpdateBumpsTheVersionAndKeepsTheSnapshotOfEveryVersion() {
        Agent v1 = agent("scout", 1, T0);
        store().agents().create(v1, change("create"));
        Agent v2 = withVersion(v1, 2, "Scout II", AgentStatus.PAUSED);
        assertThat(store().agents().update(v2, change("update"))).isInstanceOf(WriteResult.Applied.class);

        assertThat(store().agents().findById(v1.id()).orElseThrow().name()).isEqualTo("Scout II");
        assertThat(store().agents().version(v1.id(), 1).orElseThrow().snapshot().name()).isEqualTo("scout");
        assertThat(store().agents().version(v1.id(), 2).orElseThrow().snapshot().status()).isEqualTo(AgentStatus.PAUSED);
        var versions = store().agents().versions(v1.id(), null, 1);
        assertThat(versions.items()).extracting(v -> v.version()).containsExactly(2L);
        assertThat(store().agents().versions(v1.id(), versions.nextCursor(), 10).items())
                .extracting(v -> v.version()).containsExactly(1L);
    }

    @Test
    void aStaleOrConflictingUpdateNeverOverwritesANewerVersion() {
        Agent v1 = agent("scout", 1, T0);
        store().agents().create(v1, change("create"));
        Agent v2 = withVersion(v1, 2, "second", AgentStatus.ACTIVE);
        store().agents().update(v2, change("update"));

        assertThat(store().agents().update(withVersion(v1, 2, "other second", AgentStatus.ACTIVE), change("update")))
                .isEqualTo(new WriteResult.Stale<Agent>(2));
        assertThat(store().agents().update(withVersion(v1, 4, "fourth", AgentStatus.ACTIVE), change("update")))
                .isEqualTo(new WriteResult.Conflict<Agent>(2, false));
        assertThat(store().agents().update(withVersion(agent("ghost", 1, T0), 2, "x", AgentStatus.ACTIVE),
                change("update"))).isInstanceOf(WriteResult.NotFound.class);
        assertThat(store().agents().findById(v1.id()).orElseThrow().name()).isEqualTo("second");
    }

    @Test
    void ofTwoConcurrentWritesOfTheSameVersionExactlyOneApplies() throws Exception {
        Agent v1 = agent("contended", 1, T0);
        store().agents().create(v1, change("create"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (long version = 2; version < 12; version++) {
                List<WriteResult<Agent>> results = race(pool, withVersion(v1, version, "left", AgentStatus.ACTIVE),
                        withVersion(v1, version, "right", AgentStatus.ACTIVE));
                assertThat(results).filteredOn(WriteResult::applied).as("version %d", version).hasSize(1);
                assertThat(results).filteredOn(r -> !r.applied()).containsExactly(new WriteResult.Stale<>(version));
                String winner = results.stream().filter(WriteResult::applied)
                        .map(r -> ((WriteResult.Applied<Agent>) r).value().name()).findFirst().orElseThrow();
                assertThat(store().agents().findById(v1.id()).orElseThrow().name()).isEqualTo(winner);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store().agents().versions(v1.id(), null, 100).items()).hasSize(11);
    }

    private List<WriteResult<Agent>> race(ExecutorService pool, Agent left, Agent right) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        Future<WriteResult<Agent>> a = pool.submit(() -> {
            start.await();
            return store().agents().update(left, change("update"));
        });
        Future<WriteResult<Agent>> b = pool.submit(() -> {
            start.await();
            return store().agents().update(right, change("update"));
        });
        start.countDown();
        return List.of(a.get(), b.get());
    }

    @Test
    void aDeletedAgentLeavesListsAndRefusesUpdates() {
        Agent v1 = agent("scout", 1, T0);
        store().agents().create(v1, change("create"));
        Agent deleted = new Agent(v1.id(), v1.slug(), v1.name(), v1.kind(), v1.status(), v1.config(), v1.state(),
                v1.metadata(), 2, v1.createdAt(), v1.createdBy(), T0.plusSeconds(1), "ops", T0.plusSeconds(1));
        assertThat(store().agents().update(deleted, change("delete"))).isInstanceOf(WriteResult.Applied.class);

        assertThat(store().agents().findById(v1.id()).orElseThrow().deleted()).isTrue();
        assertThat(store().agents().list(null, null, 10).items()).isEmpty();
        assertThat(store().agents().update(withVersion(v1, 3, "back", AgentStatus.ACTIVE), change("update")))
                .isEqualTo(new WriteResult.Conflict<Agent>(2, true));
    }

    @Test
    void listsPageNewestFirstByUpdatedAtThenIdWithoutGapsOrRepeats() {
        List<Agent> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // pairs share a timestamp so the id decides their order
            Agent a = agent("agent-" + i, 1, T0.plusSeconds(i / 2));
            store().agents().create(a, change("create"));
            created.add(a);
        }
        Agent paused = withVersion(created.get(0), 2, "paused one", AgentStatus.PAUSED);
        store().agents().update(paused, change("update"));

        List<UUID> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<Agent> page = store().agents().list(null, cursor, 3);
            page.items().forEach(a -> seen.add(a.id()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).doesNotHaveDuplicates().hasSize(7);
        created.set(0, paused);
        List<UUID> expected = created.stream().sorted((x, y) -> {
            int byTime = y.updatedAt().compareTo(x.updatedAt());
            return byTime != 0 ? byTime : Cursor.PG_UUID_ORDER.compare(y.id(), x.id());
        }).map(Agent::id).toList();
        assertThat(seen).isEqualTo(expected);
        assertThat(store().agents().list(AgentStatus.PAUSED, null, 10).items()).extracting(Agent::id)
                .containsExactly(paused.id());
    }

    @Test
    void filteredListsMatchNameLiterallySinceATimeInEitherOrder() {
        List<Agent> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Agent a = agent("filter-" + i, 1, T0.plusSeconds(i));
            store().agents().create(a, change("create"));
            created.add(a);
        }
        Agent odd = withVersion(agent("odd", 1, T0.plusSeconds(10)), 1, "odd_100%", AgentStatus.PAUSED);
        assertThat(store().agents().create(odd, change("create"))).isInstanceOf(WriteResult.Applied.class);

        ListFilter sinceTwoAscending = new ListFilter(T0.plusSeconds(2), "FILTER", true);
        List<UUID> seen = new ArrayList<>();
        String cursor = null;
        do {
            Page<Agent> page = store().agents().list(AgentStatus.ACTIVE, sinceTwoAscending, cursor, 2);
            page.items().forEach(a -> seen.add(a.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        assertThat(seen).containsExactly(created.get(2).id(), created.get(3).id(), created.get(4).id());
        // LIKE wildcards in the text are literal characters
        assertThat(store().agents().list(null, new ListFilter(null, "_1", false), null, 10).items())
                .extracting(Agent::id).containsExactly(odd.id());
        assertThat(store().agents().list(null, new ListFilter(null, "%", false), null, 10).items())
                .extracting(Agent::id).containsExactly(odd.id());
        assertThat(store().agents().list(null, ListFilter.NONE, null, 3).items()).extracting(Agent::id)
                .containsExactly(odd.id(), created.get(4).id(), created.get(3).id());
        Prd p = prd("searchable", 1, PrdStatus.DRAFT);
        assertThat(store().prds().create(p, change("create"))).isInstanceOf(WriteResult.Applied.class);
        assertThat(store().prds().list(null, new ListFilter(null, "prd SEARCH", false), null, 5).items())
                .extracting(Prd::id).containsExactly(p.id());
    }

    @Test
    void aMalformedCursorOrLimitIsTheCallersError() {
        assertThatThrownBy(() -> store().agents().list(null, "%%%", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().prds().list(null, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void historyIsAppendedWithoutAVersionBumpAndPagedInSequenceOrder() {
        Agent a = agent("learner", 1, T0);
        store().agents().create(a, change("create"));
        for (int i = 0; i < 5; i++) {
            var r = store().agents().appendHistory(a.id(), i % 2 == 0 ? HistoryEntry.Kind.LEARNING
                    : HistoryEntry.Kind.PERFORMANCE, Map.of("step", i), T0.plusSeconds(i), change("history"));
            assertThat(r).isInstanceOf(WriteResult.Applied.class);
        }
        Page<HistoryEntry> first = store().agents().history(a.id(), 0, 3);
        assertThat(first.items()).extracting(h -> h.entry().get("step")).containsExactly(0, 1, 2);
        Page<HistoryEntry> rest = store().agents().history(a.id(), Long.parseLong(first.nextCursor()), 3);
        assertThat(rest.items()).extracting(h -> h.entry().get("step")).containsExactly(3, 4);
        assertThat(rest.hasMore()).isFalse();
        assertThat(store().agents().findById(a.id()).orElseThrow().version()).isEqualTo(1);
        assertThat(store().agents().appendHistory(UUID.randomUUID(), HistoryEntry.Kind.LEARNING, Map.of(), T0,
                change("history"))).isInstanceOf(WriteResult.NotFound.class);
    }

    @Test
    void aPrdFollowsItsLifecycleAndAForbiddenMoveIsRejected() {
        Prd draft = prd("checkout", 1, PrdStatus.DRAFT);
        store().prds().create(draft, change("create"));
        var skip = store().prds().update(prdAt(draft, 2, PrdStatus.APPROVED), change("update"));
        assertThat(skip).isInstanceOf(WriteResult.Rejected.class);
        assertThat(((WriteResult.Rejected<Prd>) skip).reason()).contains("draft").contains("approved");

        assertThat(store().prds().update(prdAt(draft, 2, PrdStatus.REVIEW), change("update")).applied()).isTrue();
        assertThat(store().prds().update(prdAt(draft, 3, PrdStatus.APPROVED), change("update")).applied()).isTrue();
        assertThat(store().prds().findBySlug("checkout").orElseThrow().status()).isEqualTo(PrdStatus.APPROVED);
        assertThat(store().prds().version(draft.id(), 2).orElseThrow().snapshot().status()).isEqualTo(PrdStatus.REVIEW);
        assertThat(store().prds().list(PrdStatus.APPROVED, null, 5).items()).extracting(Prd::id)
                .containsExactly(draft.id());
    }

    @Test
    void linksJoinLivePrdsAndAgentsOnceAndCanBeRemoved() {
        Agent a = agent("builder", 1, T0);
        Prd p = prd("search", 1, PrdStatus.DRAFT);
        store().agents().create(a, change("create"));
        store().prds().create(p, change("create"));
        PrdAgentLink link = new PrdAgentLink(p.id(), a.id(), "implementer", T0, "ops");

        assertThat(store().prds().link(link, change("link")).applied()).isTrue();
        assertThat(store().prds().link(link, change("link"))).isInstanceOf(WriteResult.Stale.class);
        assertThat(store().prds().link(new PrdAgentLink(p.id(), UUID.randomUUID(), "reviewer", T0, "ops"),
                change("link"))).isInstanceOf(WriteResult.NotFound.class);
        assertThat(store().prds().links(p.id())).extracting(PrdAgentLink::agentId).containsExactly(a.id());
        assertThat(store().prds().linksOfAgent(a.id(), null, 10).items()).extracting(PrdAgentLink::prdId)
                .containsExactly(p.id());

        assertThat(store().prds().unlink(p.id(), a.id(), change("unlink")).applied()).isTrue();
        assertThat(store().prds().unlink(p.id(), a.id(), change("unlink"))).isInstanceOf(WriteResult.NotFound.class);
        assertThat(store().prds().links(p.id())).isEmpty();
    }

    /**
     * Nothing bounds how many PRDs link one agent, so its links come in pages like every other list: more of them
     * than the largest page, a full page, and cursors that continue in PRD id order without a gap or a repeat.
     */
    @Test
    void anAgentsLinksArePagedByPrdIdWithoutGapsOrRepeats() {
        int maxPage = 500; // Page.checkLimit's largest
        Agent wanted = agent("wanted", 1, T0);
        Agent other = agent("other", 1, T0);
        store().agents().create(wanted, change("create"));
        store().agents().create(other, change("create"));
        List<UUID> linked = new ArrayList<>();
        for (int i = 0; i <= maxPage; i++) {
            Prd p = prd("wants-" + i, 1, PrdStatus.DRAFT);
            store().prds().create(p, change("create"));
            assertThat(store().prds().link(new PrdAgentLink(p.id(), wanted.id(), "implementer", T0, "ops"),
                    change("link")).applied()).isTrue();
            linked.add(p.id());
            if (i % 100 == 0) {
                store().prds().link(new PrdAgentLink(p.id(), other.id(), "reviewer", T0, "ops"), change("link"));
            }
        }
        linked.sort(Cursor.PG_UUID_ORDER);

        Page<PrdAgentLink> full = store().prds().linksOfAgent(wanted.id(), null, maxPage);
        assertThat(full.items()).hasSize(maxPage);
        assertThat(full.hasMore()).isTrue();
        Page<PrdAgentLink> last = store().prds().linksOfAgent(wanted.id(), full.nextCursor(), maxPage);
        assertThat(last.items()).hasSize(1);
        assertThat(last.hasMore()).isFalse();
        List<UUID> seen = new ArrayList<>();
        full.items().forEach(l -> seen.add(l.prdId()));
        last.items().forEach(l -> seen.add(l.prdId()));
        assertThat(seen).isEqualTo(linked);
        assertThat(last.items().get(0).agentId()).isEqualTo(wanted.id());

        List<UUID> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<PrdAgentLink> page = store().prds().linksOfAgent(wanted.id(), cursor, 200);
            page.items().forEach(l -> walked.add(l.prdId()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(walked).isEqualTo(linked);
        assertThat(store().prds().linksOfAgent(other.id(), null, 10).items()).hasSize(6);
        assertThatThrownBy(() -> store().prds().linksOfAgent(wanted.id(), null, maxPage + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLinkRoleIsOneTo100CharactersInEveryStore() {
        Prd p = prd("roles", 1, PrdStatus.DRAFT);
        store().prds().create(p, change("create"));
        List<Agent> agents = new ArrayList<>();
        for (String slug : List.of("no-role", "long-role", "astral-role")) {
            agents.add(agent(slug, 1, T0));
            store().agents().create(agents.get(agents.size() - 1), change("create"));
        }
        assertThat(store().prds().link(new PrdAgentLink(p.id(), agents.get(0).id(), "", T0, "ops"), change("link")))
                .isEqualTo(new WriteResult.Rejected<PrdAgentLink>("role must be 1-100 characters"));
        assertThat(store().prds().link(new PrdAgentLink(p.id(), agents.get(1).id(), "r".repeat(101), T0, "ops"),
                change("link"))).isEqualTo(new WriteResult.Rejected<PrdAgentLink>("role must be 1-100 characters"));
        assertThat(store().prds().link(new PrdAgentLink(p.id(), agents.get(2).id(), "\uD83D\uDE00".repeat(100), T0,
                "ops"), change("link")).applied()).isTrue();
        assertThat(store().prds().links(p.id())).extracting(PrdAgentLink::agentId).containsExactly(agents.get(2).id());
    }

    @Test
    void everyAppliedWriteIsAuditedAndFoundByEntityActorAndTime() {
        Agent a = agent("audited", 1, T0);
        store().agents().create(a, change("create", "alice"));
        store().agents().update(withVersion(a, 2, "renamed", AgentStatus.ACTIVE), change("update", "bob"));
        store().agents().update(withVersion(a, 2, "stale", AgentStatus.ACTIVE), change("update", "bob"));

        Instant from = Instant.now().minusSeconds(600);
        Instant to = Instant.now().plusSeconds(600);
        var byEntity = store().audit().byEntity("agent", a.id(), from, to, null, 1);
        assertThat(byEntity.items()).extracting(e -> e.version()).containsExactly(1L);
        assertThat(store().audit().byEntity("agent", a.id(), from, to, byEntity.nextCursor(), 10).items())
                .extracting(e -> e.actor()).containsExactly("bob");
        assertThat(store().audit().byActor("alice", from, to, null, 10).items()).extracting(e -> e.commandType())
                .containsExactly("agent.create");
        assertThat(store().audit().byTime(from, to, null, 10).items()).hasSize(2);
        assertThat(store().audit().byTime(to, to.plusSeconds(1), null, 10).items()).isEmpty();
    }

    @Test
    void anEntitysAuditEntriesAreOnlyThoseCommittedWithinFromTo() throws InterruptedException {
        Agent a = agent("audited-in-range", 1, T0);
        store().agents().create(a, change("create", "alice"));
        Thread.sleep(5); // two distinct commit times, even at the in-memory store's microseconds
        store().agents().update(withVersion(a, 2, "renamed", AgentStatus.ACTIVE), change("update", "bob"));
        var all = store().audit().byEntity("agent", a.id(), Instant.EPOCH, Instant.now().plusSeconds(60), null, 10)
                .items();
        assertThat(all).extracting(e -> e.version()).containsExactly(1L, 2L);
        Instant second = all.get(1).committedAt();
        assertThat(second).isAfter(all.get(0).committedAt());

        assertThat(store().audit().byEntity("agent", a.id(), second, second.plusSeconds(60), null, 10).items())
                .extracting(e -> e.version()).containsExactly(2L);
        assertThat(store().audit().byEntity("agent", a.id(), Instant.EPOCH, second, null, 10).items())
                .extracting(e -> e.version()).containsExactly(1L);
    }

    @Test
    void aWriteOutcomeIsRecordedOncePerEventId() {
        UUID eventId = UUID.randomUUID();
        UUID entity = UUID.randomUUID();
        var applied = new WriteOutcome(eventId, "agent", entity, "agent.create", WriteOutcome.Status.APPLIED, 1L, null,
                null, null);
        assertThat(store().writes().record(applied)).isTrue();
        assertThat(store().writes().record(new WriteOutcome(eventId, "agent", entity, "agent.create",
                WriteOutcome.Status.REJECTED, null, null, "late", null))).isFalse();
        WriteOutcome found = store().writes().find(eventId).orElseThrow();
        assertThat(found.status()).isEqualTo(WriteOutcome.Status.APPLIED);
        assertThat(found.type()).isEqualTo("agent.create");
        assertThat(found.processedAt()).isNotNull();
        assertThat(store().writes().find(UUID.randomUUID())).isEmpty();
    }

    static Agent agent(String slug, long version, Instant at) {
        return new Agent(UUID.randomUUID(), slug, slug, "researcher", AgentStatus.ACTIVE,
                Map.of("model", "m1", "depth", 3), Map.of(), Map.of("team", "core"), version, at, "seed", at, "seed",
                null);
    }

    static Agent withVersion(Agent a, long version, String name, AgentStatus status) {
        Instant at = a.updatedAt().plusSeconds(version);
        return new Agent(a.id(), a.slug(), name, a.kind(), status, a.config(), a.state(), a.metadata(), version,
                a.createdAt(), a.createdBy(), at, "editor", null);
    }

    static Prd prd(String slug, long version, PrdStatus status) {
        return new Prd(UUID.randomUUID(), slug, "PRD " + slug, "# " + slug, status, Map.of(), "owner@example.com",
                version, T0, "seed", T0, "seed", null);
    }

    static Agent named(Agent a, String name, String kind) {
        return new Agent(a.id(), a.slug(), name, kind, a.status(), a.config(), a.state(), a.metadata(), a.version(),
                a.createdAt(), a.createdBy(), a.updatedAt(), a.updatedBy(), a.deletedAt());
    }

    static Prd withTitle(Prd p, String title) {
        return new Prd(p.id(), p.slug(), title, p.body(), p.status(), p.metadata(), p.owner(), p.version(),
                p.createdAt(), p.createdBy(), p.updatedAt(), p.updatedBy(), p.deletedAt());
    }

    static Prd prdAt(Prd p, long version, PrdStatus status) {
        return new Prd(p.id(), p.slug(), p.title(), p.body(), status, p.metadata(), p.owner(), version, p.createdAt(),
                p.createdBy(), T0.plusSeconds(version), "editor", null);
    }

    static Change change(String type) {
        return change(type, "tester");
    }

    static Change change(String type, String actor) {
        String entityCommand = switch (type) {
            case "history" -> "agent.history.append";
            case "link" -> "prd.link-agent";
            case "unlink" -> "prd.unlink-agent";
            default -> "agent." + type;
        };
        String changeType = type.equals("history") ? "update" : type;
        return new Change(changeType, entityCommand, actor, UUID.randomUUID(), T0);
    }
}
