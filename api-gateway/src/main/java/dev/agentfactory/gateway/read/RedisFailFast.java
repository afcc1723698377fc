package dev.agentfactory.gateway.read;

import io.lettuce.core.ClientOptions;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Redis is the gateway's cache, never its source of truth: while it is unreachable a read goes to the database at
 * once. Lettuce's default queues the commands issued while its connection is down until it reconnects or they time
 * out; rejecting them instead makes every read of an outage fall back without waiting for the command timeout
 * ({@code spring.data.redis.timeout}, which bounds a Redis that is connected but silent).
 */
@Configuration(proxyBeanMethods = false)
class RedisFailFast {

    @Bean
    LettuceClientOptionsBuilderCustomizer rejectCommandsWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }
}
