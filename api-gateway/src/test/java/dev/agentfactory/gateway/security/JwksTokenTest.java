package dev.agentfactory.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Tokens checked against a JWKS endpoint (Supabase's asymmetric signing keys, ES256 by default, or RS256),
 * served from a loopback HTTP server: each key verifies tokens of its own algorithm, nothing else does; with the
 * project's HS256 secret configured as well, legacy tokens are checked with it and the rest with the JWKS.
 */
class JwksTokenTest {

    static ECKey ec;
    static RSAKey rsa;
    static HttpServer server;
    static JwtDecoder decoder;

    @BeforeAll
    static void jwks() throws Exception {
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        byte[] body = new JWKSet(List.<JWK>of(ec.toPublicJWK(), rsa.toPublicJWK())).toString()
                .getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks.json", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        decoder = new JwtConfiguration().jwtDecoder(new GatewaySecurityProperties(null,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json", false, List.of("authenticated"), null,
                java.time.Duration.ofSeconds(30), List.of()));
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void anEs256TokenSignedByAPublishedKeyIsAccepted() throws Exception {
        String token = token(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), new ECDSASigner(ec));
        assertThat(decoder.decode(token).getClaimAsString("role")).isEqualTo("authenticated");
    }

    @Test
    void anRs256TokenSignedByAPublishedKeyIsAccepted() throws Exception {
        String token = token(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), new RSASSASigner(rsa));
        assertThat(decoder.decode(token).getClaimAsString("role")).isEqualTo("authenticated");
    }

    /** The typ check applies to every decoder: the JWKS one alone, and both kinds of key together. */
    @Test
    void aSignedTokenOfAnotherTypeIsRefusedByEveryDecoder() throws Exception {
        String secret = "the-legacy-hs256-secret-of-the-project-0123456789";
        JwtDecoder both = decoder(secret, true);
        JOSEObjectType logout = new JOSEObjectType("logout+jwt");
        String es256 = token(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").type(logout).build(),
                new ECDSASigner(ec));
        String rs256 = token(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").type(logout).build(),
                new RSASSASigner(rsa));
        String hs256 = token(new JWSHeader.Builder(JWSAlgorithm.HS256).type(logout).build(),
                new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        for (String token : new String[] {es256, rs256}) {
            assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class);
            assertThatThrownBy(() -> both.decode(token)).isInstanceOf(JwtException.class);
        }
        assertThatThrownBy(() -> both.decode(hs256)).isInstanceOf(JwtException.class);
        String typedJwt = token(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").type(JOSEObjectType.JWT).build(),
                new ECDSASigner(ec));
        assertThat(both.decode(typedJwt).getSubject()).isNotBlank();
    }

    @Test
    void anHs256TokenKeyedWithAPublicKeyIsRefused() throws Exception {
        // The classic confusion: HMAC "signed" with the bytes of a key anyone can download.
        byte[] publicBytes = rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        String token = token(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), new MACSigner(publicBytes));
        assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtException.class);
    }

    @Test
    void withTheLegacySecretRevokedItsTokensAreRefusedThoughTheSecretIsStillSet() throws Exception {
        String secret = "the-legacy-hs256-secret-of-the-project-0123456789";
        String legacy = token(new JWSHeader(JWSAlgorithm.HS256), new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        JwtDecoder signingKeysOnly = decoder(secret, false);
        assertThatThrownBy(() -> signingKeysOnly.decode(legacy)).isInstanceOf(JwtException.class);
        // a short placeholder in the unused secret does not stop the gateway
        assertThat(decoder("placeholder", false)).isNotNull();
        // legacy tokens asked for without a secret to check them is a configuration error, not a silent 401
        assertThatThrownBy(() -> decoder(null, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FACTORY_JWT_SECRET");
    }

    @Test
    void withTheLegacySecretAcceptedEachTokenIsCheckedByTheKeyOfItsAlgorithm() throws Exception {
        String secret = "the-legacy-hs256-secret-of-the-project-0123456789";
        JwtDecoder both = decoder(secret, true);
        String legacy = token(new JWSHeader(JWSAlgorithm.HS256), new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        String signingKey = token(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), new ECDSASigner(ec));
        assertThat(both.decode(legacy).getSubject()).isNotBlank();
        assertThat(both.decode(signingKey).getSubject()).isNotBlank();

        byte[] publicBytes = rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        String confused = token(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), new MACSigner(publicBytes));
        assertThatThrownBy(() -> both.decode(confused)).isInstanceOf(JwtException.class);
        String otherSecret = token(new JWSHeader(JWSAlgorithm.HS256),
                new MACSigner("another-projects-secret-0123456789-0123456789".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> both.decode(otherSecret)).isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> both.decode("not.a.token")).isInstanceOf(JwtException.class);
    }

    private static JwtDecoder decoder(String secret, boolean legacyHs256) {
        return new JwtConfiguration().jwtDecoder(new GatewaySecurityProperties(secret,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json", legacyHs256, List.of("authenticated"),
                null, java.time.Duration.ofSeconds(30), List.of()));
    }

    private static String token(JWSHeader header, JWSSigner signer) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(UUID.randomUUID().toString()).audience("authenticated")
                .claim("role", "authenticated").expirationTime(Date.from(Instant.now().plusSeconds(600))).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }
}
