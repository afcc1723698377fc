package dev.agentfactory.store.legacy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.contracts.ExactJson;
import dev.agentfactory.store.Change;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.Store;
import dev.agentfactory.store.WriteResult;
import dev.agentfactory.store.agent.HistoryEntry;
import dev.agentfactory.store.prd.PrdAgentLink;

/**
 * Loads a legacy snapshot (the JSON export of the old in-memory agent and PRD dictionaries; format in
 * store/README.md) into a store. Idempotent: every record becomes version 1 through a create whose
 * replay is {@code Stale}, history entries and links carry eventIds derived from their position, so a
 * second run writes nothing. Records are independent: a bad one is reported with its key
 * ({@code agents/<id>}, {@code prds/<id>/agents/<agent id>}) and the rest still import.
 */
public final class LegacyImporter {

    private static final JsonMapper JSON = ExactJson.mapper();

    private final Store store;

    public LegacyImporter(Store store) {
        this.store = store;
    }

    public ImportReport importFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return importSnapshot(in);
        }
    }

    public ImportReport importSnapshot(InputStream in) {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a JSON document: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("agents").isObject() && !root.path("prds").isObject()) {
            throw new IllegalArgumentException("a legacy snapshot is a JSON object with \"agents\" and/or \"prds\""
                    + " objects keyed by id");
        }
        ImportReport report = new ImportReport();
        each(root.path("agents"), "agents", report, (key, node) -> importAgent(key, node, report));
        each(root.path("prds"), "prds", report, (key, node) -> importPrd(key, node, report));
        return report;
    }

    private static void each(JsonNode dictionary, String name, ImportReport report, BiConsumer<String, JsonNode> work) {
        if (dictionary.isMissingNode() || dictionary.isNull()) {
            return;
        }
        if (!dictionary.isObject()) {
            // an array's properties() are empty: it imported nothing, and the run still reported clean
            report.bad(name, "must be a JSON object keyed by id, is " + LegacyRecords.kind(dictionary));
            return;
        }
        for (Map.Entry<String, JsonNode> e : dictionary.properties()) {
            try {
                work.accept(e.getKey(), e.getValue());
            } catch (IllegalArgumentException | ClassCastException ex) {
                report.bad(name + "/" + e.getKey(), ex.getMessage());
            }
        }
    }

    private void importAgent(String key, JsonNode node, ImportReport report) {
        LegacyRecords.LegacyAgent legacy = LegacyRecords.agent(key, node);
        UUID id = legacy.agent().id();
        Change create = new Change("create", "agent.create", LegacyRecords.ACTOR,
                LegacyRecords.eventId("agent", id.toString()), legacy.agent().createdAt());
        if (!count(store.agents().create(legacy.agent(), create), "agents/" + key, report)) {
            return;
        }
        Set<UUID> present = historyEventIds(id);
        for (LegacyRecords.LegacyHistory h : legacy.history()) {
            UUID eventId = LegacyRecords.eventId("agent", id.toString(), "history", Integer.toString(h.index()));
            if (present.contains(eventId)) {
                report.unchanged();
                continue;
            }
            Change append = new Change("update", "agent.history.append", LegacyRecords.ACTOR, eventId, h.recordedAt());
            count(store.agents().appendHistory(id, h.kind(), h.entry(), h.recordedAt(), append),
                    "agents/" + key + "/history/" + h.index(), report);
        }
    }

    private void importPrd(String key, JsonNode node, ImportReport report) {
        LegacyRecords.LegacyPrd legacy = LegacyRecords.prd(key, node);
        UUID id = legacy.prd().id();
        Change create = new Change("create", "prd.create", LegacyRecords.ACTOR,
                LegacyRecords.eventId("prd", id.toString()), legacy.prd().createdAt());
        if (!count(store.prds().create(legacy.prd(), create), "prds/" + key, report)) {
            return;
        }
        for (LegacyRecords.LegacyLink l : legacy.agents()) {
            Change link = new Change("link", "prd.link-agent", LegacyRecords.ACTOR,
                    LegacyRecords.eventId("prd", id.toString(), "agent", l.agentId().toString()),
                    legacy.prd().updatedAt());
            count(store.prds().link(new PrdAgentLink(id, l.agentId(), l.role(), legacy.prd().updatedAt(),
                    LegacyRecords.ACTOR), link), "prds/" + key + "/agents/" + l.agentId(), report);
        }
    }

    /** Counts a write; returns whether the record is in the store now (written or already there). */
    private static boolean count(WriteResult<?> result, String key, ImportReport report) {
        // Java 17: no pattern switch yet; the chain covers every permitted WriteResult.
        if (result instanceof WriteResult.Applied<?>) {
            report.written();
        } else if (result instanceof WriteResult.Stale<?>) {
            report.unchanged();
        } else if (result instanceof WriteResult.Conflict<?> c) {
            report.bad(key, "present at version " + c.currentVersion() + (c.deleted() ? " and deleted" : ""));
        } else if (result instanceof WriteResult.NotFound<?> n) {
            report.bad(key, "refers to a missing " + n.what());
        } else if (result instanceof WriteResult.Rejected<?> r) {
            report.bad(key, r.reason());
        }
        return result instanceof WriteResult.Applied<?> || result instanceof WriteResult.Stale<?>;
    }

    private Set<UUID> historyEventIds(UUID agentId) {
        Set<UUID> ids = new HashSet<>();
        long after = 0;
        Page<HistoryEntry> page;
        do {
            page = store.agents().history(agentId, after, 500);
            page.items().forEach(h -> ids.add(h.eventId()));
            after = page.items().isEmpty() ? after : page.items().get(page.items().size() - 1).seq();
        } while (page.hasMore());
        return ids;
    }
}
