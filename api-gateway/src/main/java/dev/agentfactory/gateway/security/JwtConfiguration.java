package dev.agentfactory.gateway.security;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * Decodes Supabase-compatible JWTs: HS256 with the project secret, ES256/RS256 with a JWKS-published key, or both
 * (the token's algorithm picks the key); checks
 * signature, {@code exp}/{@code nbf}, the {@code typ} header ({@code JWT} or none), {@code aud} (absent only on a
 * {@code service_role} token) and (when configured) {@code iss}; maps the
 * {@code role} claim to a Spring Security role ({@code service_role} → {@code ROLE_SERVICE_ROLE}).
 */
@Configuration(proxyBeanMethods = false)
class JwtConfiguration {

    static final String ROLE_CLAIM = "role";
    static final String SERVICE_ROLE = "service_role";

    @Bean
    JwtDecoder jwtDecoder(GatewaySecurityProperties props) {
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(new JwtTimestampValidator(props.clockSkew()));
        validators.add(audienceValidator(props.audience()));
        validators.add(expiryRequired());
        // The typ header: JWT (any case) or none. NimbusJwtDecoder's builders leave it to JwtTypeValidator, one of
        // JwtValidators.createDefault()'s, and setJwtValidator below replaces that set: without this a correctly
        // signed token of any other type (logout+jwt, a secevent) was accepted as an access token. Supabase Auth's
        // access tokens say "JWT"; RFC 9068's at+jwt is not accepted, as no issuer this gateway trusts uses it.
        validators.add(JwtTypeValidator.jwt());
        if (props.issuer() != null && !props.issuer().isBlank()) {
            validators.add(new JwtIssuerValidator(props.issuer()));
        }
        OAuth2TokenValidator<Jwt> validator = new DelegatingOAuth2TokenValidator<>(validators);
        NimbusJwtDecoder keys = null;
        NimbusJwtDecoder secret = null;
        if (props.usesJwks()) {
            // Spring's JWK-set decoder allows RS256 alone unless told otherwise; Supabase's asymmetric
            // signing keys are ES256 by default (RS256 optional). Each key only verifies its own algorithm.
            keys = NimbusJwtDecoder.withJwkSetUri(props.jwksUrl())
                    .jwsAlgorithms(algs -> algs.addAll(List.of(SignatureAlgorithm.ES256, SignatureAlgorithm.RS256)))
                    .build();
            keys.setJwtValidator(validator);
        }
        if (props.usesSecret()) {
            secret = NimbusJwtDecoder.withSecretKey(new SecretKeySpec(
                    props.jwtSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
                    .macAlgorithm(MacAlgorithm.HS256).build();
            secret.setJwtValidator(validator);
        }
        if (keys == null || secret == null) {
            return keys != null ? keys : secret;
        }
        return byAlgorithm(secret, keys);
    }

    /**
     * Both kinds of key: the token's header picks the decoder, and each decoder still accepts its own algorithms
     * only, so naming HS256 over a published key's bytes is refused as it is with the JWKS alone.
     */
    private static JwtDecoder byAlgorithm(JwtDecoder hs256, JwtDecoder asymmetric) {
        return token -> {
            JWSAlgorithm alg;
            try {
                alg = JWSObject.parse(token).getHeader().getAlgorithm();
            } catch (ParseException e) {
                throw new BadJwtException("malformed token: " + e.getMessage(), e);
            }
            return (JWSAlgorithm.HS256.equals(alg) ? hs256 : asymmetric).decode(token);
        };
    }

    @Bean
    JwtAuthenticationConverter jwtAuthenticationConverter() {
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(JwtConfiguration::authorities);
        converter.setPrincipalClaimName("sub");
        return converter;
    }

    private static Collection<GrantedAuthority> authorities(Jwt jwt) {
        String role = jwt.getClaimAsString(ROLE_CLAIM);
        if (role == null || role.isBlank()) {
            return List.of();
        }
        // Exactly the names Supabase issues: a case-folded match made "Service_Role" (or, under a Turkish locale,
        // no role at all) into roles the issuer never granted.
        return switch (role) {
            case SERVICE_ROLE -> List.of(new SimpleGrantedAuthority("ROLE_SERVICE_ROLE"));
            case "authenticated" -> List.of(new SimpleGrantedAuthority("ROLE_AUTHENTICATED"));
            case "anon" -> List.of(new SimpleGrantedAuthority("ROLE_ANON"));
            default -> List.of();
        };
    }

    /**
     * Supabase's legacy {@code service_role} key is a JWT without {@code aud}: such a token is accepted for that
     * role only (its signature, {@code exp} and issuer are still checked); any other token needs an accepted
     * audience, and a token that names an audience needs an accepted one, whatever its role.
     */
    private static OAuth2TokenValidator<Jwt> audienceValidator(List<String> accepted) {
        return jwt -> {
            List<String> aud = jwt.getAudience();
            boolean ok = jwt.hasClaim(JwtClaimNames.AUD) ? aud != null && aud.stream().anyMatch(accepted::contains)
                    : SERVICE_ROLE.equals(jwt.getClaimAsString(ROLE_CLAIM));
            return ok ? OAuth2TokenValidatorResult.success()
                    : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "wrong audience", null));
        };
    }

    /** JwtTimestampValidator accepts a token without {@code exp}; a token that never expires is refused. */
    private static OAuth2TokenValidator<Jwt> expiryRequired() {
        return jwt -> jwt.getExpiresAt() != null ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "exp claim missing", null));
    }
}
