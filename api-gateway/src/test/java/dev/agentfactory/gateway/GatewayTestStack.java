package dev.agentfactory.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.springframework.test.context.DynamicPropertyRegistry;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/**
 * What a gateway IT that starts the app in process needs from the local stack: its own freshly migrated
 * database, and the app's connections (database, broker, Redis) and JWT secret pointed at them.
 */
public final class GatewayTestStack {

    private GatewayTestStack() {
    }

    /** Drops and recreates {@code database}, then migrates it: one left by an older schema would fail to migrate. */
    public static void freshMigratedDatabase(String database) {
        LocalStack stack = LocalStackExtension.stack();
        stack.primary().dropDatabase(database);
        stack.primary().createDatabase(database);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv())
                .withUrl(stack.endpoints().primaryJdbcUrl(database))).migrate();
    }

    /** The gateway's database, Kafka, Redis and HS256 secret, on the local stack. */
    public static void connect(DynamicPropertyRegistry registry, String database, String jwtSecret) {
        StackEndpoints stack = LocalStackExtension.ensure();
        registry.add("spring.datasource.url", () -> stack.primaryJdbcUrl(database));
        registry.add("spring.kafka.bootstrap-servers", stack::kafkaBootstrap);
        registry.add("spring.data.redis.url", stack::redisUrl);
        registry.add("factory.gateway.security.jwt-secret", () -> jwtSecret);
    }

    /**
     * {@link #connect}, with a Redis key prefix and a results consumer group of the test's own, so that test classes
     * and runs sharing the stack's Redis and broker do not see each other's keys or offsets.
     */
    public static void connectApart(DynamicPropertyRegistry registry, String database, String jwtSecret, String name) {
        connect(registry, database, jwtSecret);
        String own = name + "-" + UUID.randomUUID();
        registry.add("factory.gateway.cache.prefix", () -> own);
        registry.add("factory.gateway.topics.results-group", () -> own);
    }

    /** An HS256 token as Supabase issues them: {@code role} and {@code subject}, audience authenticated, an hour. */
    public static String token(String secret, String role, String subject) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).audience("authenticated")
                    .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                    .claim("role", role).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
