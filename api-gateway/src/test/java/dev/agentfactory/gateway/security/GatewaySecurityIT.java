package dev.agentfactory.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;

import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.agentfactory.gateway.GatewayTestStack;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** The gateway's front door with real HS256 tokens against the running app on the local stack. */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewaySecurityIT {

    static final String SECRET = "test-secret-for-the-gateway-security-suite-0123456789";
    static final String DB = "it_gateway_security";

    static final String[] HEALTH_PATHS = {"/api/v1/health", "/api/v1/health/readiness", "/api/v1/health/liveness",
            "/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness"};

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void database() {
        GatewayTestStack.freshMigratedDatabase(DB);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestStack.connect(registry, DB, SECRET);
        registry.add("factory.gateway.security.allowed-origins", () -> "https://dashboard.example");
        registry.add("factory.gateway.max-body-bytes", () -> "4096");
    }

    @Test
    void healthNeedsNoToken() throws Exception {
        assertThat(get("/api/v1/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void readinessCoversTheDatabaseKafkaAndRedisWhileLivenessIsTheProcessAlone() throws Exception {
        String service = token(SECRET, "service_role", "authenticated", Instant.now().plusSeconds(600));
        for (String base : new String[] {"/api/v1/health", "/actuator/health"}) {
            HttpResponse<String> ready = get(base + "/readiness", service);
            assertThat(ready.statusCode()).as(base).isEqualTo(200);
            assertThat(ready.body()).as(base).contains("\"db\"", "\"kafka\"", "\"redis\"");
            HttpResponse<String> live = get(base + "/liveness", service);
            assertThat(live.statusCode()).as(base).isEqualTo(200);
            assertThat(live.body()).as(base).contains("\"livenessState\"").doesNotContain("\"db\"");
        }
    }

    /**
     * Components and their details (disk path and free space, Kafka cluster id, database product, a down
     * dependency's error) are for operators: a caller without a token (a probe, anyone on the internet) or
     * with a dashboard user's token learns the overall status alone, and the code (200 UP, 503 otherwise).
     */
    @Test
    void healthWithoutAServiceRoleTokenIsTheOverallStatusAlone() throws Exception {
        String user = token(SECRET, "authenticated", "authenticated", Instant.now().plusSeconds(600));
        for (String path : HEALTH_PATHS) {
            for (String token : new String[] {null, user}) {
                HttpResponse<String> res = get(path, token);
                assertThat(res.statusCode()).as(path).isEqualTo(200);
                assertThat(res.body()).as(path).contains("\"status\":\"UP\"")
                        .doesNotContain("components", "details", "diskSpace", "clusterId", "PostgreSQL");
            }
        }
    }

    /**
     * The health endpoints need no token, so one that does not check out (expired, forged, for another audience,
     * not a JWT, not even well-formed) is ignored, not answered 401 as on the API: a probe or a dashboard that sends
     * a stale token learns the status, as without one.
     */
    @Test
    void healthIgnoresATokenThatDoesNotCheckOut() throws Exception {
        Instant now = Instant.now();
        String[] bad = {token(SECRET, "service_role", "authenticated", now.minusSeconds(3600)),
                token("another-secret-another-secret-another-secret!!", "service_role", "authenticated",
                        now.plusSeconds(600)),
                token(SECRET, "authenticated", "some-other-project", now.plusSeconds(600)), "not.a.jwt", "%%%"};
        for (String path : HEALTH_PATHS) {
            for (String token : bad) {
                HttpResponse<String> res = get(path, token);
                assertThat(res.statusCode()).as(path + " with " + token).isEqualTo(200);
                assertThat(res.body()).as(path).contains("\"status\":\"UP\"").doesNotContain("components");
            }
        }
    }

    @Test
    void healthForAServiceRoleTokenHasTheComponentsAndTheirDetails() throws Exception {
        String service = token(SECRET, "service_role", "authenticated", Instant.now().plusSeconds(600));
        for (String path : new String[] {"/api/v1/health", "/actuator/health"}) {
            HttpResponse<String> res = get(path, service);
            assertThat(res.statusCode()).as(path).isEqualTo(200);
            assertThat(res.body()).as(path).contains("\"components\"", "\"details\"", "\"db\"", "\"kafka\"",
                    "\"redis\"", "\"diskSpace\"");
        }
    }

    /**
     * The startup probe's group (deploy/cloudrun/api-gateway.yaml) is the database alone: an instance that has it
     * serves, reads falling back to PostgreSQL while Redis is down. Open like the other health groups, components for
     * a service_role token only ({@code StartupWithoutRedisAndKafkaIT}: UP with Redis and Kafka down).
     */
    @Test
    void theStartupGroupIsTheDatabaseAloneAndOpenLikeTheOtherHealthGroups() throws Exception {
        String service = token(SECRET, "service_role", "authenticated", Instant.now().plusSeconds(600));
        HttpResponse<String> startup = get("/actuator/health/startup", service);
        assertThat(startup.statusCode()).isEqualTo(200);
        assertThat(startup.body()).contains("\"status\":\"UP\"", "\"db\"", "\"readinessState\"")
                .doesNotContain("\"redis\"", "\"kafka\"");
        for (String token : new String[] {null, "not.a.jwt"}) {
            HttpResponse<String> probe = get("/actuator/health/startup", token);
            assertThat(probe.statusCode()).isEqualTo(200);
            assertThat(probe.body()).contains("\"status\":\"UP\"").doesNotContain("components");
        }
    }

    /**
     * Metrics (request rates per URI and status, pool saturation, JVM memory, Kafka client internals) and the build
     * info are for operators: the service takes requests from the internet, and production exports its metrics to
     * Cloud Monitoring, so nothing scrapes them anonymously.
     */
    @Test
    void prometheusAndInfoAreForTheServiceRoleAlone() throws Exception {
        Instant later = Instant.now().plusSeconds(600);
        String user = token(SECRET, "authenticated", "authenticated", later);
        String anon = token(SECRET, "anon", "authenticated", later);
        String service = token(SECRET, "service_role", "authenticated", later);
        for (String path : new String[] {"/actuator/prometheus", "/actuator/info"}) {
            HttpResponse<String> anonymous = get(path, null);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.body()).as(path).contains("\"status\":401").doesNotContain("jvm_");
            assertThat(get(path, "not.a.jwt").statusCode()).as(path).isEqualTo(401);
            for (String token : new String[] {user, anon}) {
                HttpResponse<String> forbidden = get(path, token);
                assertThat(forbidden.statusCode()).as(path).isEqualTo(403);
                assertThat(forbidden.body()).as(path).contains("\"status\":403").doesNotContain("jvm_");
            }
            assertThat(get(path, service).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(get("/actuator/prometheus", service).body()).contains("jvm_memory_used_bytes");
    }

    /** A correctly signed token of another type (RFC 8417 security events, OIDC logout tokens) is no access token. */
    @Test
    void aSignedTokenOfAnotherTypeIsUnauthorized() throws Exception {
        Instant later = Instant.now().plusSeconds(600);
        for (String type : new String[] {"logout+jwt", "secevent+jwt"}) {
            String user = token(SECRET, "authenticated", "authenticated", later, type);
            String service = token(SECRET, "service_role", "authenticated", later, type);
            assertThat(get("/api/v1/agents/" + UUID.randomUUID(), user).statusCode()).as(type).isEqualTo(401);
            assertThat(get("/api/v1/audit", service).statusCode()).as(type).isEqualTo(401);
            assertThat(get("/actuator/prometheus", service).statusCode()).as(type).isEqualTo(401);
        }
        String typedJwt = token(SECRET, "authenticated", "authenticated", later, "JWT");
        assertThat(get("/api/v1/agents/" + UUID.randomUUID(), typedJwt).statusCode()).isNotIn(401, 403);
    }

    @Test
    void missingTokenIsUnauthorizedAsProblemDetails() throws Exception {
        HttpResponse<String> res = get("/api/v1/agents/" + UUID.randomUUID(), null);
        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(res.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(res.body()).contains("\"status\":401").doesNotContain("Exception");
    }

    @Test
    void expiredWrongSignatureWrongAudienceAndNoExpiryAreUnauthorized() throws Exception {
        Instant now = Instant.now();
        String expired = token(SECRET, "authenticated", "authenticated", now.minusSeconds(3600));
        String forged = token("another-secret-another-secret-another-secret!!", "authenticated", "authenticated",
                now.plusSeconds(600));
        String otherAudience = token(SECRET, "authenticated", "some-other-project", now.plusSeconds(600));
        String neverExpires = token(SECRET, "authenticated", "authenticated", null);
        for (String t : new String[] {expired, forged, otherAudience, neverExpires, "not.a.jwt"}) {
            assertThat(get("/api/v1/agents/" + UUID.randomUUID(), t).statusCode()).as(t).isEqualTo(401);
        }
    }

    @Test
    void roleOtherThanServiceOrAuthenticatedIsForbidden() throws Exception {
        String anon = token(SECRET, "anon", "authenticated", Instant.now().plusSeconds(600));
        HttpResponse<String> res = get("/api/v1/agents/" + UUID.randomUUID(), anon);
        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(res.body()).contains("\"status\":403");
    }

    @Test
    void authenticatedUserPassesTheDoorButNotIntoTheAuditLog() throws Exception {
        String user = token(SECRET, "authenticated", "authenticated", Instant.now().plusSeconds(600));
        String service = token(SECRET, "service_role", "authenticated", Instant.now().plusSeconds(600));
        assertThat(get("/api/v1/agents/" + UUID.randomUUID(), user).statusCode()).isNotIn(401, 403);
        assertThat(get("/api/v1/audit", user).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/audit", service).statusCode()).isNotIn(401, 403);
    }

    @Test
    void aServiceRoleKeyWithoutAudienceReadsTheAuditLogAndAUserTokenWithoutOneIsUnauthorized() throws Exception {
        // Supabase's legacy service_role key has no aud claim.
        String legacyServiceKey = token(SECRET, "service_role", null, Instant.now().plusSeconds(600));
        String userWithoutAudience = token(SECRET, "authenticated", null, Instant.now().plusSeconds(600));
        assertThat(get("/api/v1/audit", legacyServiceKey).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/agents/" + UUID.randomUUID(), userWithoutAudience).statusCode()).isEqualTo(401);
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedWith413() throws Exception {
        String user = token(SECRET, "authenticated", "authenticated", Instant.now().plusSeconds(600));
        // fromPublisher without a length: sent with Transfer-Encoding: chunked, no Content-Length.
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/api/v1/agents"))
                .header("Authorization", "Bearer " + user).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"" + "x".repeat(10_000) + "\"}"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(413);
        assertThat(res.body()).contains("body-too-large");
    }

    @Test
    void oversizedBodyIsRefusedWith413() throws Exception {
        String user = token(SECRET, "authenticated", "authenticated", Instant.now().plusSeconds(600));
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/api/v1/agents"))
                .header("Authorization", "Bearer " + user).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + "x".repeat(10_000) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(413);
        assertThat(res.body()).contains("body-too-large");
    }

    @Test
    void corsAnswersOnlyTheAllowList() throws Exception {
        assertThat(preflight("https://dashboard.example").headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("https://dashboard.example");
        HttpResponse<String> other = preflight("https://evil.example");
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(other.statusCode()).isEqualTo(403);
    }

    private HttpResponse<String> preflight(String origin) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/api/v1/agents"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "POST").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static String token(String secret, String role, String audience, Instant expiresAt) throws Exception {
        return token(secret, role, audience, expiresAt, null);
    }

    static String token(String secret, String role, String audience, Instant expiresAt, String type) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(UUID.randomUUID().toString())
                .audience(audience).issueTime(new Date()).claim("role", role);
        if (expiresAt != null) {
            claims.expirationTime(Date.from(expiresAt));
        }
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.HS256);
        if (type != null) {
            header.type(new JOSEObjectType(type));
        }
        SignedJWT jwt = new SignedJWT(header.build(), claims.build());
        jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

}
