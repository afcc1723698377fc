package dev.agentfactory.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Supabase's legacy service_role key is an HS256 JWT with {@code iss}, {@code role}, {@code iat} and {@code exp}
 * but no {@code aud}. It is accepted for that role alone; every other check still applies.
 */
class ServiceRoleAudienceTest {

    private static final String SECRET = "a-test-secret-of-at-least-32-bytes-for-hs256";
    private static final String ISSUER = "supabase";

    private final JwtDecoder decoder = decoder(SECRET, ISSUER);

    @Test
    void aServiceRoleTokenWithoutAudienceIsAccepted() throws Exception {
        String token = token(SECRET, claims("service_role", ISSUER, 600).build());
        assertThat(decoder.decode(token).getClaimAsString("role")).isEqualTo("service_role");
    }

    @Test
    void aTokenOfAnyOtherRoleOrNoneWithoutAudienceIsRefused() throws Exception {
        assertRefused(token(SECRET, claims("authenticated", ISSUER, 600).build()));
        assertRefused(token(SECRET, claims("anon", ISSUER, 600).build()));
        assertRefused(token(SECRET, claims(null, ISSUER, 600).build()));
    }

    @Test
    void aServiceRoleTokenNamingAnotherAudienceIsRefused() throws Exception {
        assertRefused(token(SECRET, claims("service_role", ISSUER, 600).audience("somebody-else").build()));
    }

    @Test
    void aServiceRoleTokenWithoutAudienceStillNeedsItsSignatureExpiryAndIssuer() throws Exception {
        assertRefused(token("another-secret-of-at-least-32-bytes-long", claims("service_role", ISSUER, 600).build()));
        assertRefused(token(SECRET, claims("service_role", ISSUER, -600).build()));
        assertRefused(token(SECRET, claims("service_role", ISSUER, 600).expirationTime(null).build()));
        assertRefused(token(SECRET, claims("service_role", "https://elsewhere.example/auth/v1", 600).build()));
    }

    /**
     * Spring Security 7 checks {@code typ} in a validator of its default set, which the gateway's own list replaced:
     * a correctly signed token of another type (a logout token, a security event) was taken for an access token.
     */
    @Test
    void aTokenOfAnotherTypeIsRefusedAndJwtOrNoTypeIsAccepted() throws Exception {
        JWTClaimsSet user = claims("authenticated", ISSUER, 600).audience("authenticated").build();
        for (String type : new String[] {"logout+jwt", "secevent+jwt", "at+jwt", "JOSE"}) {
            assertRefused(token(SECRET, typed(type), user));
            assertRefused(token(SECRET, typed(type), claims("service_role", ISSUER, 600).build()));
        }
        for (JWSHeader accepted : new JWSHeader[] {typed("JWT"), typed("jwt"), new JWSHeader(JWSAlgorithm.HS256)}) {
            assertThat(decoder.decode(token(SECRET, accepted, user)).getClaimAsString("role")).isEqualTo("authenticated");
        }
    }

    private static JWSHeader typed(String type) {
        return new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType(type)).build();
    }

    private void assertRefused(String token) {
        assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class);
    }

    private static JWTClaimsSet.Builder claims(String role, String issuer, long expiresInSeconds) {
        return new JWTClaimsSet.Builder().issuer(issuer).claim("role", role).issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(expiresInSeconds)));
    }

    private static String token(String secret, JWTClaimsSet claims) throws Exception {
        return token(secret, new JWSHeader(JWSAlgorithm.HS256), claims);
    }

    private static String token(String secret, JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static JwtDecoder decoder(String secret, String issuer) {
        return new JwtConfiguration().jwtDecoder(new GatewaySecurityProperties(secret, null, false, List.of("authenticated"),
                issuer, Duration.ofSeconds(30), List.of()));
    }
}
