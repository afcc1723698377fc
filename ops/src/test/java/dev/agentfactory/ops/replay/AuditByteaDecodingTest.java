package dev.agentfactory.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.ExactJson;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A bytea value travels relay → audit topic → replay as the relay's mapper writes Debezium's bytes (base64
 * text); replay must turn exactly that text back into the same bytes, for bytea and bytea[] columns.
 */
class AuditByteaDecodingTest {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    /** The after-image as the audit topic carries it: written by the relay's mapper, read by replay's. */
    private static Map<String, Object> throughTheAuditTopic(Map<String, Object> after) {
        String json = ExactJson.mapper().writeValueAsString(Map.of("after", after));
        @SuppressWarnings("unchecked")
        Map<String, Object> read = (Map<String, Object>) JsonMapper.builder().build().readValue(json, MAP).get("after");
        return read;
    }

    @Test
    void everyByteValueComesBackAsTheSameBytes() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("blob", ByteBuffer.wrap(all));
        after.put("empty", ByteBuffer.wrap(new byte[0]));

        Map<String, Object> read = throughTheAuditTopic(after);

        assertThat(read.get("blob")).isInstanceOf(String.class); // what replay wrote as-is before
        assertThat((byte[]) AuditEventApplier.fromBase64(read.get("blob"))).isEqualTo(all);
        assertThat((byte[]) AuditEventApplier.fromBase64(read.get("empty"))).isEmpty();
    }

    @Test
    void aByteaArrayKeepsItsNullElementsAndInnerDimensions() {
        byte[] a = {0, (byte) 0xff, '\\', '"', ','};
        byte[] b = "NULL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("blobs", Arrays.asList(List.of(ByteBuffer.wrap(a)), Arrays.asList(null, ByteBuffer.wrap(b))));

        Object decoded = AuditEventApplier.fromBase64(throughTheAuditTopic(after).get("blobs"));

        List<?> outer = (List<?>) decoded;
        assertThat((byte[]) ((List<?>) outer.get(0)).get(0)).isEqualTo(a);
        assertThat(((List<?>) outer.get(1)).get(0)).isNull();
        assertThat((byte[]) ((List<?>) outer.get(1)).get(1)).isEqualTo(b);
    }

    @Test
    void textThatIsNotBase64IsRefusedWithItsReason() {
        assertThatThrownBy(() -> AuditEventApplier.fromBase64("\\x00ff"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytea value of an audit event is not base64");
        assertThatThrownBy(() -> AuditEventApplier.fromBase64(42))
                .hasMessageContaining("neither base64 text nor a list");
    }
}
