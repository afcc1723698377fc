package dev.agentfactory.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.agentfactory.gateway.problem.ApiProblem;

class PagingTest {

    @Test
    void anInstantWithAFourDigitYearIsTakenAsGiven() {
        assertThat(Paging.instant("2026-01-31T12:00:00.123456Z", "updatedSince", null))
                .isEqualTo(Instant.parse("2026-01-31T12:00:00.123456Z"));
        assertThat(Paging.instant("9999-12-31T23:59:59.999999Z", "to", null)).isEqualTo(Paging.LATEST);
    }

    @Test
    void anInstantPostgresqlCannotStoreIsABadParameterNotAQueryThatFails() {
        for (String far : new String[] {"+300000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z"}) {
            assertThatThrownBy(() -> Paging.instant(far, "updatedSince", null)).as(far)
                    .isInstanceOfSatisfying(ApiProblem.class,
                            e -> assertThat(e.problem().getStatus()).isEqualTo(400));
        }
    }
}
