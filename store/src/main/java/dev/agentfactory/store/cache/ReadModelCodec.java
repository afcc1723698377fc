package dev.agentfactory.store.cache;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.contracts.ExactJson;
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.prd.Prd;

/**
 * JSON of the cached read model. One codec for writer (CDC relay) and reader (gateway) so a field
 * added to {@link Agent} or {@link Prd} cannot be written one way and read another.
 */
public final class ReadModelCodec {

    private final JsonMapper json = ExactJson.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public String write(Object entity) {
        return json.writeValueAsString(entity);
    }

    public Agent readAgent(String value) {
        return json.readValue(value, Agent.class);
    }

    public Prd readPrd(String value) {
        return json.readValue(value, Prd.class);
    }

    /** The version field of a cached value without binding the whole entity (for version guards). */
    public long version(String value) {
        return json.readTree(value).path("version").asLong(-1);
    }
}
