package dev.agentfactory.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.agentfactory.store.Page;

class GatewayPropertiesTest {

    @Test
    void aCacheTtlOfZeroIsRefusedAtStartupNotAtEveryCacheFill() {
        assertThatThrownBy(() -> new GatewayProperties.Cache("factory", Duration.ZERO, Duration.ofSeconds(10), 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("factory.gateway.cache.ttl must be positive");
    }

    @Test
    void aMaxPageSizeAboveTheStoresLimitIsRefusedAtStartupNotAnsweredWith500() {
        assertThatThrownBy(() -> props(50, Page.MAX_LIMIT + 1, Duration.ofHours(24)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("factory.gateway.max-page-size must be between 1 and " + Page.MAX_LIMIT);
        assertThatThrownBy(() -> props(50, 0, Duration.ofHours(24)))
                .hasMessageContaining("factory.gateway.max-page-size");
    }

    @Test
    void aDefaultPageSizeOutsideOneToTheMaximumIsRefused() {
        assertThatThrownBy(() -> props(0, 200, Duration.ofHours(24)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("factory.gateway.default-page-size must be between 1 and");
        assertThatThrownBy(() -> props(201, 200, Duration.ofHours(24)))
                .hasMessageContaining("factory.gateway.default-page-size");
    }

    @Test
    void pageSizesUpToTheStoresLimitAreAccepted() {
        assertThat(props(1, 1, Duration.ofHours(24)).maxPageSize()).isEqualTo(1);
        assertThat(props(Page.MAX_LIMIT, Page.MAX_LIMIT, Duration.ofHours(24)).maxPageSize()).isEqualTo(Page.MAX_LIMIT);
    }

    @Test
    void anIdempotencyTtlOfZeroIsRefusedAtStartupNotAtEveryKeyedWrite() {
        assertThatThrownBy(() -> props(50, 200, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("factory.gateway.writes.idempotency-ttl must be positive");
    }

    private static GatewayProperties props(int defaultPageSize, int maxPageSize, Duration idempotencyTtl) {
        return new GatewayProperties(1_048_576, Duration.ofSeconds(30), defaultPageSize, maxPageSize,
                new GatewayProperties.Kafka("agents", "prds", "results", "group"),
                new GatewayProperties.Cache("test", Duration.ofHours(1), Duration.ofSeconds(10), 64),
                new GatewayProperties.Writes(Duration.ofMillis(250), idempotencyTtl, 8, Duration.ofSeconds(10)));
    }
}
