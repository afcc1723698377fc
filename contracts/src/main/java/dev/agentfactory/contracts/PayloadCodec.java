package dev.agentfactory.contracts;

import static dev.agentfactory.contracts.Json.oneOf;
import static dev.agentfactory.contracts.Json.onlyFields;
import static dev.agentfactory.contracts.Json.optionalObject;
import static dev.agentfactory.contracts.Json.optionalString;
import static dev.agentfactory.contracts.Json.requiredObject;
import static dev.agentfactory.contracts.Json.requiredString;
import static dev.agentfactory.contracts.Json.violation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

import dev.agentfactory.contracts.WriteCommand.AgentCreate;
import dev.agentfactory.contracts.WriteCommand.AgentHistoryAppend;
import dev.agentfactory.contracts.WriteCommand.AgentStatePut;
import dev.agentfactory.contracts.WriteCommand.AgentUpdate;
import dev.agentfactory.contracts.WriteCommand.PrdCreate;
import dev.agentfactory.contracts.WriteCommand.PrdLinkAgent;
import dev.agentfactory.contracts.WriteCommand.PrdUnlinkAgent;
import dev.agentfactory.contracts.WriteCommand.PrdUpdate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The payload of each command type: the same rules as the database's CHECK constraints, checked first. */
final class PayloadCodec {

    static final Set<String> AGENT_STATUSES = Set.of("active", "paused", "retired");
    static final Set<String> PRD_STATUSES = Set.of("draft", "review", "approved", "archived");
    private static final Set<String> HISTORY_KINDS = Set.of("learning", "performance");
    private static final int MAX_BODY_BYTES = 1_048_576;
    /** The first recordedAt that the database's microseconds round into the year 10000. */
    private static final Instant RECORDED_AT_END = Instant.parse("9999-12-31T23:59:59.999999500Z");

    private PayloadCodec() {
    }

    static WriteCommand decode(CommandType type, ObjectNode p) {
        return switch (type) {
            case AGENT_CREATE -> {
                onlyFields(p, Set.of("slug", "name", "kind", "status", "config", "state", "metadata"), "payload");
                yield new AgentCreate(Json.slug(p), requiredString(p, "name", 1, 200), requiredString(p, "kind", 1, 100),
                        oneOf(optionalString(p, "status", 1, 20), "status", AGENT_STATUSES),
                        optionalObject(p, "config"), optionalObject(p, "state"), optionalObject(p, "metadata"));
            }
            case AGENT_UPDATE -> {
                onlyFields(p, Set.of("name", "status", "config", "metadata"), "agent.update patch");
                notNull(p, "name", "status", "config", "metadata");
                optionalString(p, "name", 1, 200);
                oneOf(optionalString(p, "status", 1, 20), "status", AGENT_STATUSES);
                optionalObject(p, "config");
                optionalObject(p, "metadata");
                yield new AgentUpdate(p);
            }
            case AGENT_STATE_PUT -> {
                onlyFields(p, Set.of("state"), "payload");
                yield new AgentStatePut(requiredObject(p, "state"));
            }
            case AGENT_HISTORY_APPEND -> {
                onlyFields(p, Set.of("kind", "entry", "recordedAt"), "payload");
                String kind = oneOf(requiredString(p, "kind", 1, 20), "kind", HISTORY_KINDS);
                Instant recordedAt = instant(p, "recordedAt");
                if (recordedAt != null && !recordedAt.isBefore(RECORDED_AT_END)) {
                    // stored at microseconds, rounded half to even: this last half microsecond of 9999 is 10000
                    throw violation("recordedAt must be " + IsoInstant.TAKES + ", before 9999-12-31T23:59:59.9999995Z");
                }
                yield new AgentHistoryAppend(kind, requiredObject(p, "entry"), recordedAt);
            }
            case AGENT_DELETE -> {
                onlyFields(p, Set.of(), "payload");
                yield new WriteCommand.AgentDelete();
            }
            case PRD_CREATE -> {
                onlyFields(p, Set.of("slug", "title", "body", "status", "metadata", "owner"), "payload");
                yield new PrdCreate(Json.slug(p), requiredString(p, "title", 1, 300), body(p),
                        oneOf(optionalString(p, "status", 1, 20), "status", PRD_STATUSES),
                        optionalObject(p, "metadata"), optionalString(p, "owner", 1, 200));
            }
            case PRD_UPDATE -> {
                onlyFields(p, Set.of("title", "body", "status", "metadata", "owner"), "prd.update patch");
                notNull(p, "title", "body", "status", "metadata");
                optionalString(p, "title", 1, 300);
                body(p);
                oneOf(optionalString(p, "status", 1, 20), "status", PRD_STATUSES);
                optionalObject(p, "metadata");
                optionalString(p, "owner", 1, 200);
                yield new PrdUpdate(p);
            }
            case PRD_LINK_AGENT -> {
                onlyFields(p, Set.of("agentId", "role"), "payload");
                yield new PrdLinkAgent(Json.uuid(p, "agentId"), optionalString(p, "role", 1, 100));
            }
            case PRD_UNLINK_AGENT -> {
                onlyFields(p, Set.of("agentId"), "payload");
                yield new PrdUnlinkAgent(Json.uuid(p, "agentId"));
            }
            case PRD_DELETE -> {
                onlyFields(p, Set.of(), "payload");
                yield new WriteCommand.PrdDelete();
            }
        };
    }

    static ObjectNode encode(WriteCommand c) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        // Java 17: dispatch on the sealed type's enum rather than type patterns.
        switch (c.type()) {
            case AGENT_CREATE -> {
                AgentCreate a = (AgentCreate) c;
                p.put("slug", a.slug()).put("name", a.name()).put("kind", a.kind());
                putIfPresent(p, "status", a.status());
                setIfPresent(p, "config", a.config());
                setIfPresent(p, "state", a.state());
                setIfPresent(p, "metadata", a.metadata());
            }
            case AGENT_UPDATE -> p.setAll(((AgentUpdate) c).patch());
            case AGENT_STATE_PUT -> p.set("state", ((AgentStatePut) c).state());
            case AGENT_HISTORY_APPEND -> {
                AgentHistoryAppend h = (AgentHistoryAppend) c;
                p.put("kind", h.kind()).set("entry", h.entry());
                if (h.recordedAt() != null) {
                    p.put("recordedAt", h.recordedAt().toString());
                }
            }
            case PRD_CREATE -> {
                PrdCreate r = (PrdCreate) c;
                p.put("slug", r.slug()).put("title", r.title());
                putIfPresent(p, "body", r.body());
                putIfPresent(p, "status", r.status());
                setIfPresent(p, "metadata", r.metadata());
                putIfPresent(p, "owner", r.owner());
            }
            case PRD_UPDATE -> p.setAll(((PrdUpdate) c).patch());
            case PRD_LINK_AGENT -> {
                PrdLinkAgent l = (PrdLinkAgent) c;
                p.put("agentId", l.agentId().toString());
                putIfPresent(p, "role", l.role());
            }
            case PRD_UNLINK_AGENT -> p.put("agentId", ((PrdUnlinkAgent) c).agentId().toString());
            case AGENT_DELETE, PRD_DELETE -> {
                // no payload fields
            }
        }
        return p;
    }

    private static void notNull(JsonNode p, String... fields) {
        for (String f : fields) {
            if (p.has(f) && p.get(f).isNull()) {
                throw violation(f + " cannot be removed (null in a merge patch)");
            }
        }
    }

    private static String body(JsonNode p) {
        JsonNode v = p.get("body");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw violation("body must be a string");
        }
        if (Json.wellFormed(v.stringValue(), "body").getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
            throw violation("body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        return v.stringValue();
    }

    private static Instant instant(JsonNode p, String field) {
        String s = optionalString(p, field, 1, 64);
        try {
            return s == null ? null : IsoInstant.parse(s);
        } catch (DateTimeParseException e) {
            throw violation(field + " must be " + IsoInstant.TAKES);
        }
    }

    private static void putIfPresent(ObjectNode p, String field, String value) {
        if (value != null) {
            p.put(field, value);
        }
    }

    private static void setIfPresent(ObjectNode p, String field, ObjectNode value) {
        if (value != null) {
            p.set(field, value);
        }
    }
}
