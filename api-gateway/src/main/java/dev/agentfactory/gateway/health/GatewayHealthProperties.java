package dev.agentfactory.gateway.health;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How often the gateway's health checks may reach its dependencies. The health endpoints need no token, so without
 * a bound anyone could make the gateway query PostgreSQL, Kafka and Redis as fast as they send requests, holding
 * the connections its reads need.
 *
 * @param checkTtl how long a health check's result answers every caller before the check runs again; concurrent
 *                 callers of an expired result share one run. {@code 0s} runs every check for every request.
 */
@ConfigurationProperties("factory.gateway.health")
public record GatewayHealthProperties(@DefaultValue("1s") Duration checkTtl) {

    public GatewayHealthProperties {
        if (checkTtl == null || checkTtl.isNegative()) {
            throw new IllegalArgumentException("factory.gateway.health.check-ttl must not be negative, got " + checkTtl);
        }
    }
}
