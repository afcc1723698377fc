package dev.agentfactory.contracts;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON mappers that keep every digit of a number, as jsonb does: fractions are read as {@code BigDecimal}, not
 * {@code double}, which would round {@code 0.12345678901234567890123} and turn {@code 1e400} into the string
 * {@code "Infinity"}. Every module that reads agents' or PRDs' JSON (codec, worker, store, relay, gateway) builds
 * its mapper here, so a value keeps its digits from the write topic to the API and the standby.
 */
public final class ExactJson {

    private ExactJson() {
    }

    public static JsonMapper mapper() {
        return builder().build();
    }

    public static JsonMapper.Builder builder() {
        return JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    /**
     * For a hot path on platform threads (the codec, the worker's snapshots): buffers recycled per thread, which
     * cost less than the default shared pool when the objects written are small.
     */
    public static JsonMapper perThreadBuffers() {
        return JsonMapper.builder(JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build())
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    }
}
