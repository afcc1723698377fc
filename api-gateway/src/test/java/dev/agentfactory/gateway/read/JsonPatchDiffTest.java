package dev.agentfactory.gateway.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JsonPatchDiffTest {

    private final JsonPatchDiff diff = new JsonPatchDiff(JsonMapper.builder().build());

    @Test
    void nestedObjectsDiffMemberByMemberAndBookkeepingIsLeftOut() {
        Map<String, Object> v1 = Map.of("name", "a", "version", 1, "config", Map.of("depth", 3, "model", "m1"),
                "tags", java.util.List.of("x"));
        Map<String, Object> v2 = Map.of("name", "b", "version", 2, "config", Map.of("depth", 5, "a/b", true),
                "tags", java.util.List.of("x", "y"));
        assertThat(diff.diff(v1, v2, Set.of("version")).stream().map(Object::toString)).containsExactly(
                "{\"op\":\"add\",\"path\":\"/config/a~1b\",\"value\":true}",
                "{\"op\":\"replace\",\"path\":\"/config/depth\",\"value\":5}",
                "{\"op\":\"remove\",\"path\":\"/config/model\"}",
                "{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"b\"}",
                "{\"op\":\"replace\",\"path\":\"/tags\",\"value\":[\"x\",\"y\"]}");
    }

    @Test
    void identicalSnapshotsHaveAnEmptyPatch() {
        assertThat(diff.diff(Map.of("a", 1), Map.of("a", 1), Set.of())).isEmpty();
    }
}
