package dev.agentfactory.gateway.health;

import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.health.application.AvailabilityStateHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every health check of the gateway answers from a result at most {@code factory.gateway.health.check-ttl} old.
 * The checks are wrapped where they are defined, not in one endpoint, because {@code /api/v1/health/**} and
 * {@code /actuator/health/**} (the platform's probes) are all open to anyone and all run them. The availability
 * states are not wrapped: they read a field, and a probe must see a change of them at once.
 */
@Configuration(proxyBeanMethods = false)
class HealthCheckMemoConfiguration {

    @Bean
    static BeanPostProcessor memoizedHealthChecks(ObjectProvider<GatewayHealthProperties> props) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof AvailabilityStateHealthIndicator
                        || !(bean instanceof HealthIndicator || bean instanceof ReactiveHealthIndicator)) {
                    return bean;
                }
                Duration ttl = props.getObject().checkTtl();
                if (ttl.isZero()) {
                    return bean;
                }
                return bean instanceof HealthIndicator check ? new MemoizedHealthIndicator(check, ttl, System::nanoTime)
                        : new MemoizedReactiveHealthIndicator((ReactiveHealthIndicator) bean, ttl);
            }
        };
    }
}
