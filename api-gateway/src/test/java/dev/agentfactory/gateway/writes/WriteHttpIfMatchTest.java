package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import tools.jackson.databind.node.JsonNodeFactory;

import dev.agentfactory.contracts.CommandType;
import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.gateway.problem.ApiProblem;

/** {@code If-Match: *} on a write: "the entity must exist", which a create's entity never does. */
class WriteHttpIfMatchTest {

    private final WriteHttp http = new WriteHttp(new GatewayProperties(1_048_576, Duration.ofSeconds(30), 50, 200,
            new GatewayProperties.Kafka("agents", "prds", "results", "group"),
            new GatewayProperties.Cache("test", Duration.ofHours(1), Duration.ofSeconds(10), 64),
            new GatewayProperties.Writes(Duration.ofMillis(250), Duration.ofHours(24), 8, Duration.ofSeconds(10))));

    @Test
    void ifMatchStarOnAnUpdateOrDeleteIsAnUnconditionalWriteToAnEntityThatMustExist() {
        UUID agent = UUID.randomUUID();
        for (String method : new String[] {"PATCH", "DELETE"}) {
            WriteRequest req = http.request(method.equals("PATCH") ? CommandType.AGENT_UPDATE : CommandType.AGENT_DELETE,
                    agent, JsonNodeFactory.instance.objectNode(), request(method, "*"));
            assertThat(req.expectedVersion()).as(method).isNull();
        }
    }

    @Test
    void ifMatchOfAnyKindOnACreateIsABadRequest() {
        for (String ifMatch : new String[] {"*", "\"1\"", "W/\"1\""}) {
            assertThatThrownBy(() -> http.request(CommandType.AGENT_CREATE, null, JsonNodeFactory.instance.objectNode(),
                    request("POST", ifMatch))).as(ifMatch).isInstanceOfSatisfying(ApiProblem.class, p ->
                            assertThat(p.problem().getType().toString()).endsWith("/bad-if-match"));
        }
    }

    private static MockHttpServletRequest request(String method, String ifMatch) {
        MockHttpServletRequest req = new MockHttpServletRequest(method, "/api/v1/agents");
        req.addHeader("If-Match", ifMatch);
        return req;
    }
}
