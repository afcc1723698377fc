package dev.agentfactory.gateway.security;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the gateway checks Supabase-compatible JWTs and which browser origins may call it.
 *
 * @param jwtSecret      the project's HS256 JWT secret (Supabase's legacy "JWT secret"), which checks HS256 tokens
 * @param jwksUrl        a JWKS endpoint, which checks ES256 and RS256 tokens (Supabase's asymmetric signing keys,
 *                       {@code /auth/v1/.well-known/jwks.json}); with it, the secret is used only if
 *                       {@code legacyHs256} says so
 * @param legacyHs256    with a JWKS URL, whether HS256 tokens are still accepted with the secret, each token then
 *                       checked by the key of its algorithm: on while a Supabase project moves to signing keys, off
 *                       once it has revoked the legacy secret, or its tokens (the long-lived service_role key among
 *                       them) would still be accepted here
 * @param audience       the required {@code aud} claim ({@code authenticated} for Supabase user tokens); a
 *                       {@code service_role} token may have none (Supabase's legacy service_role key)
 * @param issuer         the required {@code iss} claim, when set
 * @param clockSkew      tolerance on {@code exp} and {@code nbf}
 * @param allowedOrigins CORS allow-list; empty means no cross-origin browser access
 */
@ConfigurationProperties("factory.gateway.security")
public record GatewaySecurityProperties(
        String jwtSecret,
        String jwksUrl,
        boolean legacyHs256,
        @DefaultValue("authenticated") List<String> audience,
        String issuer,
        @DefaultValue("30s") Duration clockSkew,
        @DefaultValue List<String> allowedOrigins) {

    public GatewaySecurityProperties {
        audience = audience.stream().filter(a -> !a.isBlank()).toList();
        allowedOrigins = allowedOrigins.stream().filter(o -> !o.isBlank()).toList();
        boolean hasSecret = jwtSecret != null && !jwtSecret.isBlank();
        boolean hasJwks = jwksUrl != null && !jwksUrl.isBlank();
        if (!hasSecret && !hasJwks) {
            throw new IllegalArgumentException("factory.gateway.security: set jwt-secret (FACTORY_JWT_SECRET)"
                    + " or jwks-url (FACTORY_JWT_JWKS_URL)");
        }
        if (legacyHs256 && !hasSecret) {
            throw new IllegalArgumentException("factory.gateway.security.legacy-hs256 (FACTORY_JWT_LEGACY_HS256) accepts "
                    + "HS256 tokens with jwt-secret (FACTORY_JWT_SECRET), which is not set");
        }
        if (hasSecret && (!hasJwks || legacyHs256)
                && jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("factory.gateway.security.jwt-secret must be at least 32 bytes for HS256");
        }
    }

    boolean usesJwks() {
        return jwksUrl != null && !jwksUrl.isBlank();
    }

    boolean usesSecret() {
        return jwtSecret != null && !jwtSecret.isBlank() && (!usesJwks() || legacyHs256);
    }

    /** Never print the secret. */
    @Override
    public String toString() {
        return "GatewaySecurityProperties[jwks=" + jwksUrl + ", audience=" + audience + ", issuer=" + issuer
                + ", allowedOrigins=" + allowedOrigins + "]";
    }
}
