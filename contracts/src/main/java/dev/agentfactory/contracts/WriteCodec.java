package dev.agentfactory.contracts;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;

import dev.agentfactory.contracts.InvalidWriteException.Reason;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns write envelopes into JSON bytes and back, enforcing {@code schemas/envelope.v1.json} on the way
 * in: anything the worker could not apply for a structural reason fails here with an
 * {@link InvalidWriteException} whose reason lands in the DLQ. Thread-safe.
 */
public final class WriteCodec {

    /** The default largest record the worker accepts (the envelope as bytes). */
    public static final int DEFAULT_MAX_BYTES = 1_100_000;

    /**
     * The deepest a payload value (config, state, metadata, a history entry) may nest objects and arrays, counting
     * itself: {@code {"a":[1]}} is 2 deep. Far below the 500 levels Jackson reads and writes by default, since the
     * gateway embeds the value deeper (a versions page puts an agent's config at level 5): a value accepted near the
     * reader's limit would be stored, then fail every page showing it.
     */
    public static final int MAX_NESTING_DEPTH = 100;

    private static final Set<String> ENVELOPE_FIELDS = Set.of("eventId", "type", "entityId", "expectedVersion",
            "actor", "occurredAt", "schemaVersion", "payload");
    static final JsonMapper MAPPER = ExactJson.perThreadBuffers();

    private final int maxBytes;

    public WriteCodec() {
        this(DEFAULT_MAX_BYTES);
    }

    public WriteCodec(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    public byte[] encode(WriteEnvelope e) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("eventId", e.eventId().toString());
        root.put("type", e.type().wireName());
        root.put("entityId", e.entityId().toString());
        if (e.expectedVersion() != null) {
            root.put("expectedVersion", e.expectedVersion());
        }
        root.put("actor", e.actor());
        root.put("occurredAt", IsoInstant.format(e.occurredAt()));
        root.put("schemaVersion", e.schemaVersion());
        root.set("payload", PayloadCodec.encode(e.command()));
        return MAPPER.writeValueAsBytes(root);
    }

    /** Decodes and validates one record value; throws {@link InvalidWriteException} with the reason. */
    public WriteEnvelope decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidWriteException(Reason.MALFORMED_JSON, "empty record value");
        }
        if (bytes.length > maxBytes) {
            throw new InvalidWriteException(Reason.OVERSIZED,
                    "record of " + bytes.length + " bytes exceeds the limit of " + maxBytes);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JacksonException ex) {
            throw new InvalidWriteException(Reason.MALFORMED_JSON, "not JSON: " + ex.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidWriteException(Reason.SCHEMA_VIOLATION, "the envelope must be a JSON object");
        }
        Json.onlyFields(root, ENVELOPE_FIELDS, "envelope");
        String typeName = Json.requiredString(root, "type", 1, 100);
        CommandType type = CommandType.fromWire(typeName).orElseThrow(() ->
                new InvalidWriteException(Reason.UNKNOWN_TYPE, "unknown command type '" + typeName + "'"));
        UUID eventId = Json.uuid(root, "eventId");
        UUID entityId = Json.uuid(root, "entityId");
        Long expected = null;
        JsonNode ev = root.get("expectedVersion");
        if (ev != null && !ev.isNull()) {
            if (!ev.isIntegralNumber() || !ev.canConvertToLong() || ev.longValue() < 0) {
                throw new InvalidWriteException(Reason.SCHEMA_VIOLATION, "expectedVersion must be an integer >= 0");
            }
            expected = ev.longValue();
        }
        String actor = Json.requiredString(root, "actor", 1, 200);
        Instant occurredAt;
        try {
            occurredAt = IsoInstant.parse(Json.requiredString(root, "occurredAt", 1, 64));
        } catch (DateTimeParseException ex) {
            throw new InvalidWriteException(Reason.SCHEMA_VIOLATION, "occurredAt must be " + IsoInstant.TAKES);
        }
        JsonNode sv = root.get("schemaVersion");
        if (sv == null || !sv.isIntegralNumber() || !sv.canConvertToInt() || sv.intValue() != WriteEnvelope.SCHEMA_VERSION) {
            throw new InvalidWriteException(Reason.SCHEMA_VIOLATION, "schemaVersion must be 1");
        }
        JsonNode payload = root.get("payload");
        if (payload == null || !payload.isObject()) {
            throw new InvalidWriteException(Reason.SCHEMA_VIOLATION, "payload must be a JSON object");
        }
        FreeFormJson.check((ObjectNode) payload, maxBytes - bytes.length, bytes);
        WriteCommand command = PayloadCodec.decode(type, (ObjectNode) payload);
        return new WriteEnvelope(eventId, entityId, expected, actor, occurredAt, WriteEnvelope.SCHEMA_VERSION, command);
    }

    /** The payload object of a command, exactly as it appears in the envelope. */
    public static ObjectNode payloadOf(WriteCommand command) {
        return PayloadCodec.encode(command);
    }

    /**
     * The UTF-8 JSON of an outcome, as published on the results topic: the record's components in order,
     * nulls included, as data binding writes them. Streamed by hand because the worker writes one per event.
     */
    public byte[] encodeOutcome(WriteOutcome o) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(320);
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("eventId", o.eventId().toString());
            g.writeStringProperty("entityType", o.entityType());
            g.writeStringProperty("entityId", o.entityId() == null ? null : o.entityId().toString());
            g.writeStringProperty("type", o.type());
            g.writeStringProperty("status", o.status().name());
            if (o.version() == null) {
                g.writeNullProperty("version");
            } else {
                g.writeNumberProperty("version", o.version().longValue());
            }
            g.writeStringProperty("originalOutcome", o.originalOutcome() == null ? null : o.originalOutcome().name());
            g.writeStringProperty("reason", o.reason());
            g.writeStringProperty("processedAt", o.processedAt() == null ? null : IsoInstant.format(o.processedAt()));
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    public WriteOutcome decodeOutcome(byte[] bytes) {
        return MAPPER.readValue(bytes, WriteOutcome.class);
    }

    /** For logs and DLQ messages: a short printable prefix of a record value. */
    public static String preview(byte[] bytes, int max) {
        if (bytes == null) {
            return "<null>";
        }
        String s = new String(bytes, 0, Math.min(bytes.length, max), StandardCharsets.UTF_8);
        return bytes.length > max ? s + "..." : s;
    }
}
