package dev.agentfactory.store.cache;

import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonValue;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.contracts.ExactJson;
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.prd.Prd;
import dev.agentfactory.store.prd.PrdStatus;

/**
 * JSON of the cached read model. One codec for writer (CDC relay) and reader (gateway) so a field
 * added to {@link Agent} or {@link Prd} cannot be written one way and read another. A purged (hard-deleted)
 * entity is cached as a marker with only what the version guard needs, never the row's fields; readers
 * see it as absent.
 */
public final class ReadModelCodec {

    // Statuses are cached by constant name ("PAUSED"), as before the API moved to their lower-case wire form:
    // relay entries never expire, and a gateway of the previous release (mid-rollout, or rolled back to) reads
    // only that form. Reading takes either (the enums' @JsonCreator); the API answers through its own mapper.
    private final JsonMapper json = ExactJson.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addMixIn(AgentStatus.class, StatusByName.class)
            .addMixIn(PrdStatus.class, StatusByName.class)
            .build();

    private abstract static class StatusByName {
        @JsonValue(false)
        abstract String dbValue();
    }

    public String write(Object entity) {
        return json.writeValueAsString(entity);
    }

    // Written only here, in this exact layout, so readers recognise a marker by its prefix without parsing
    // it; an entity's JSON starts with its "id".
    private static final String PURGED_PREFIX = "{\"purged\":true,";

    /**
     * The purge marker of a hard-deleted entity: its id, the deleted row's version and the purge's LSN
     * (see {@link VersionGuardedPut} for how the guard uses them). No other field of the row.
     */
    public String purged(UUID id, long version, long lsn) {
        return PURGED_PREFIX + "\"id\":\"" + id + "\",\"version\":" + version + ",\"purgedLsn\":\"" + lsn(lsn)
                + "\"}";
    }

    /** Whether a cached value is a purge marker: the entity does not exist. */
    public boolean isPurged(String value) {
        return value.startsWith(PURGED_PREFIX);
    }

    /** The cached agent; empty for a purge marker. */
    public Optional<Agent> readAgent(String value) {
        return isPurged(value) ? Optional.empty() : Optional.of(json.readValue(value, Agent.class));
    }

    /** The cached PRD; empty for a purge marker. */
    public Optional<Prd> readPrd(String value) {
        return isPurged(value) ? Optional.empty() : Optional.of(json.readValue(value, Prd.class));
    }

    /** The version field of a cached value without binding the whole entity (for version guards). */
    public long version(String value) {
        return json.readTree(value).path("version").asLong(-1);
    }

    /** An LSN as the guard compares it: fixed-width hex, so string order is numeric order. */
    static String lsn(long lsn) {
        if (lsn < 0) {
            throw new IllegalArgumentException("negative LSN " + lsn);
        }
        return String.format("%016X", lsn);
    }
}
