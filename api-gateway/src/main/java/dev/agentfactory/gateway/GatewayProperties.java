package dev.agentfactory.gateway;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits and timing of the gateway's HTTP API.
 *
 * @param maxBodyBytes   largest request body accepted (413 beyond)
 * @param maxWait        longest {@code Prefer: wait=N} honoured
 * @param defaultPageSize page size when the client gives none
 * @param maxPageSize    largest page a client may ask for
 */
@ConfigurationProperties("factory.gateway")
public record GatewayProperties(
        @DefaultValue("1048576") long maxBodyBytes,
        @DefaultValue("30s") Duration maxWait,
        @DefaultValue("50") int defaultPageSize,
        @DefaultValue("200") int maxPageSize) {
}
