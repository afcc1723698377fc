package dev.agentfactory.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ParentsFirstTest {

    @Test
    void flushesBeforeAnAgentWhoseBatchWouldGoOutBehindHistoryOrLinks() {
        ParentsFirst order = new ParentsFirst(true);
        order.wrote("agent_history");

        assertThat(order.mustFlushBefore("agents")).isTrue();
        assertThat(order.mustFlushBefore("prds")).as("history does not reference prds").isFalse();
    }

    @Test
    void keepsBatchingWhenTheParentsBatchIsAlreadyAhead() {
        ParentsFirst order = new ParentsFirst(true);
        order.wrote("agents");
        order.wrote("agent_versions");
        order.wrote("prd_agents");

        assertThat(order.mustFlushBefore("agents")).isFalse();
        assertThat(order.mustFlushBefore("prds")).isTrue();
        order.flushed();
        assertThat(order.mustFlushBefore("prds")).isFalse();
    }

    @Test
    void neverFlushesInReplicaMode() {
        ParentsFirst order = new ParentsFirst(false);
        order.wrote("prd_agents");

        assertThat(order.mustFlushBefore("agents")).isFalse();
    }
}
