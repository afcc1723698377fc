package dev.agentfactory.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.prd.PrdStatus;

class ListParamsTest {

    @Test
    void aStatusIsParsedWithTheEntitysEnumAndAbsentMeansAny() {
        assertThat(ListParams.status("paused", AgentStatus::fromDb, AgentStatus.values(), AgentStatus::dbValue))
                .isEqualTo(AgentStatus.PAUSED);
        assertThat(ListParams.status(" ", PrdStatus::fromDb, PrdStatus.values(), PrdStatus::dbValue)).isNull();
    }

    @Test
    void anUnknownStatusIsRefusedNamingEveryStoredValueOfTheEnum() {
        assertThatThrownBy(() -> ListParams.status("gone", PrdStatus::fromDb, PrdStatus.values(), PrdStatus::dbValue))
                .isInstanceOfSatisfying(ApiProblem.class, e -> assertThat(e.problem().getDetail())
                        .isEqualTo("status must be one of draft, review, approved, archived"));
    }

    @Test
    void aSearchTextWithANulCharacterIsRefusedBeforeItReachesTheDatabase() {
        assertThatThrownBy(() -> ListParams.filter(null, "a\0b", null)).isInstanceOfSatisfying(ApiProblem.class,
                e -> assertThat(e.problem().getStatus()).isEqualTo(400));
        assertThat(ListParams.filter(null, "a%_\\b", null).text()).isEqualTo("a%_\\b");
    }
}
