package dev.agentfactory.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.media.Schema;
import org.junit.jupiter.api.Test;

import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.prd.Prd;

/** The OpenAPI document names the statuses as the API answers and takes them: lower case. */
class StatusSchemaTest {

    @Test
    void theDocumentedStatusesAreTheLowerCaseOnesOnTheWire() {
        assertThat(statusEnum(Agent.class, "Agent")).containsExactly("active", "paused", "retired");
        assertThat(statusEnum(Prd.class, "Prd")).containsExactly("draft", "review", "approved", "archived");
    }

    @SuppressWarnings("rawtypes")
    private static java.util.List<Object> statusEnum(Class<?> type, String name) {
        Map<String, Schema> schemas = ModelConverters.getInstance().readAll(type);
        Schema status = (Schema) schemas.get(name).getProperties().get("status");
        if (status.get$ref() != null) {
            status = schemas.get(status.get$ref().substring(status.get$ref().lastIndexOf('/') + 1));
        }
        return new java.util.ArrayList<Object>(status.getEnum());
    }
}
