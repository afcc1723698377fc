package dev.agentfactory.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WatermarkMergeTest {

    @Test
    void holdsALinkBackUntilThePartitionThatMayHoldItsAgentHasMovedPastIt() {
        WatermarkMerge<String> merge = new WatermarkMerge<>(List.of("agents-0", "prds-0"));

        merge.add("prds-0", event("link", 300));
        assertThat(merge.release()).as("nothing seen yet on agents-0").isEmpty();

        merge.add("agents-0", event("create", 200));
        merge.add("agents-0", event("update", 250));
        assertThat(ops(merge.release())).as("up to the lowest high, 250").containsExactly("create", "update");

        merge.add("agents-0", event("later", 400));
        assertThat(ops(merge.release())).containsExactly("link");
        assertThat(merge.rest()).extracting(e -> e.get("op")).containsExactly("later");
    }

    @Test
    void aClosedPartitionNoLongerHoldsTheWatermarkBack() {
        WatermarkMerge<String> merge = new WatermarkMerge<>(List.of("agents-0", "prds-0"));
        merge.add("prds-0", event("link", 300));
        merge.add("prds-0", event("unlink", 100));

        merge.close("agents-0");

        assertThat(ops(merge.release())).as("in lsn order").containsExactly("unlink", "link");
    }

    @Test
    void eventsSharingAnLsnKeepTheirOrderOfArrival() {
        WatermarkMerge<String> merge = new WatermarkMerge<>(List.of("agents-0"));
        merge.add("agents-0", event("first", 100));
        merge.add("agents-0", event("second", 100));
        merge.add("agents-0", event("before", 50));

        assertThat(ops(merge.rest())).containsExactly("before", "first", "second");
    }

    /**
     * T1 writes an agent (lsn 150) and links it (lsn 300); T2, overlapping, writes on the agent's partition at lsn
     * 350 and commits first. The agents partition, in commit order, shows T2 (350) before T1's agent, so the link
     * is released before its agent: the failed batch is requeued and goes out again, after it, with the next poll.
     */
    @Test
    void aRequeuedLinkIsReleasedAgainAfterTheAgentOfItsOwnTransaction() {
        WatermarkMerge<String> merge = new WatermarkMerge<>(List.of("agents-0", "prds-0"));
        merge.add("prds-0", event("link", 300));
        merge.add("agents-0", event("t2-update", 350));
        List<Map<String, Object>> released = merge.release();
        assertThat(ops(released)).containsExactly("link");

        merge.requeue(released);    // the reference check refused it
        merge.add("agents-0", event("create", 150));

        assertThat(ops(merge.release())).containsExactly("create", "link");
        assertThat(ops(merge.rest())).containsExactly("t2-update");
    }

    @Test
    void aTimeIsPastOnlyOnceEveryOpenPartitionDeliveredAChangeCommittedAfterIt() {
        WatermarkMerge<String> merge = new WatermarkMerge<>(List.of("agents-0", "agents-1", "prds-0"));
        java.time.Instant t = java.time.Instant.parse("2026-03-01T10:00:00Z");
        merge.add("agents-0", committed("a", 100, "2026-03-01T10:00:01Z"));
        merge.add("prds-0", committed("b", 110, "2026-03-01T10:00:00Z"));
        assertThat(merge.allPast(t)).as("agents-1 delivered nothing, prds-0 nothing later than t").isFalse();

        merge.add("prds-0", committed("c", 120, "2026-03-01T10:00:02Z"));
        merge.close("agents-1");
        assertThat(merge.allPast(t)).isTrue();
    }

    private static Map<String, Object> committed(String op, long lsn, String commitTime) {
        return Map.of("op", op, "lsn", lsn, "commitTime", commitTime);
    }

    private static Map<String, Object> event(String op, long lsn) {
        return committed(op, lsn, "2026-03-01T09:00:00Z");
    }

    private static List<Object> ops(List<Map<String, Object>> events) {
        return events.stream().map(e -> e.get("op")).toList();
    }
}
