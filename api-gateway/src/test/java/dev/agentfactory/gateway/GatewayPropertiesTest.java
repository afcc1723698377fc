package dev.agentfactory.gateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class GatewayPropertiesTest {

    @Test
    void aCacheTtlOfZeroIsRefusedAtStartupNotAtEveryCacheFill() {
        assertThatThrownBy(() -> new GatewayProperties.Cache("factory", Duration.ZERO, Duration.ofSeconds(10), 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("factory.gateway.cache.ttl must be positive");
    }
}
