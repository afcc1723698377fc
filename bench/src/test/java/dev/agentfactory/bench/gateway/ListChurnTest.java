package dev.agentfactory.bench.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentfactory.stack.StackEndpoints;

class ListChurnTest {

    @Test
    void aChurnThatDiedFailsInsteadOfPassingForOneThatRan() throws Exception {
        // nothing listens on port 1: the churn's first update fails
        StackEndpoints nowhere = new StackEndpoints("127.0.0.1:1", "jdbc:postgresql://127.0.0.1:1/x",
                "jdbc:postgresql://127.0.0.1:1/x", "redis://127.0.0.1:1", "u", "p", 1, 1);
        ListChurn churn = new ListChurn(nowhere, "x", "bench-test", List.of(UUID.randomUUID()), 20);
        assertThatThrownBy(churn::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("died");
    }
}
