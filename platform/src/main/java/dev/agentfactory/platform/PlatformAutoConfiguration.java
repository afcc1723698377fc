package dev.agentfactory.platform;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;

/** Wiring that every app of the project shares: today the Kafka health indicator. */
@AutoConfiguration(afterName = "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration")
public class PlatformAutoConfiguration {

    @Bean(name = "kafkaHealthIndicator")
    @ConditionalOnMissingBean(name = "kafkaHealthIndicator")
    KafkaHealthIndicator kafkaHealthIndicator(KafkaProperties kafka) {
        Map<String, Object> config = healthCheckAdminConfig(kafka);
        return new KafkaHealthIndicator(() -> Admin.create(config), Duration.ofSeconds(3));
    }

    /** The health check's admin client: the apps' Kafka settings, then its own. */
    static Map<String, Object> healthCheckAdminConfig(KafkaProperties kafka) {
        Map<String, Object> config = new HashMap<>(kafka.buildAdminProperties());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "health-check");
        // Not Kafka 4's default, rebootstrap, which loops while the broker is away: KafkaAdminClient's
        // MetadataUpdateNodeIdProvider.provide() calls AdminMetadataManager.rebootstrap (an INFO line, and a reset
        // that lets one more metadata call start each retry.backoff.ms) whenever its only node is in reconnect
        // backoff, for every pending metadata call on every pass of the admin thread: 500-800 lines a second. No
        // setting gates that path: metadata.recovery.rebootstrap.trigger.ms gates NetworkClient's rebootstrap
        // alone, a longer reconnect backoff keeps the node unavailable longer, a longer retry.backoff.ms thins the
        // lines (3 a second at 1 s) and the check's retries, a WARN level hides the lines and not the loop. "none"
        // stops it. What it gives up, starting over from bootstrap.servers once every broker it knew is gone for
        // good (a cluster replaced behind the same bootstrap name), KafkaHealthIndicator does instead: it replaces
        // this client after REBOOTSTRAP_AFTER of failed checks.
        config.put(AdminClientConfig.METADATA_RECOVERY_STRATEGY_CONFIG, MetadataRecoveryStrategy.NONE.name);
        return config;
    }
}
