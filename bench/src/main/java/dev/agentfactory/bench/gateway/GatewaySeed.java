package dev.agentfactory.bench.gateway;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.PostgresCluster;
import dev.agentfactory.stack.StackEndpoints;

/** What the gateway benchmark needs before it measures: a seeded database and a signed token. */
final class GatewaySeed {

    private GatewaySeed() {
    }

    /** A fresh migrated database with {@code n} live agents (set-wise SQL: seeding is not what is measured). */
    static List<UUID> agents(PostgresCluster primary, StackEndpoints endpoints, String db, int n) throws Exception {
        primary.dropDatabase(db);
        primary.createDatabase(db);
        String url = endpoints.primaryJdbcUrl(db);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        List<UUID> ids = new ArrayList<>(n);
        try (Connection c = DriverManager.getConnection(url, endpoints.superuser(), endpoints.superuserPassword());
             Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO factory.agents (id, slug, name, kind, status, config, state, metadata, version,
                                                created_at, created_by, updated_at, updated_by)
                    SELECT gen_random_uuid(), 'bench-' || g, 'Bench agent ' || g, 'researcher',
                           (ARRAY['active','paused','retired'])[1 + g % 3],
                           jsonb_build_object('model', 'm' || (g % 7), 'depth', g % 5),
                           jsonb_build_object('step', g), jsonb_build_object('team', 'bench'), 1 + g % 4,
                           now() - make_interval(secs => g), 'bench', now() - make_interval(secs => g), 'bench'
                    FROM generate_series(1, """ + n + ") g");
            s.execute("ANALYZE factory.agents");
            try (ResultSet rs = s.executeQuery("SELECT id FROM factory.agents ORDER BY random()")) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return ids;
    }

    /** An HS256 token of the authenticated role, signed here so the benchmark needs no JWT library. */
    static String token(String secret) throws Exception {
        return token(secret, "authenticated");
    }

    /** An HS256 token of {@code role} (service_role to scrape the gateway's metrics), an hour long. */
    static String token(String secret, String role) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long exp = Instant.now().plusSeconds(3600).getEpochSecond();
        String claims = b64.encodeToString(("{\"sub\":\"bench\",\"aud\":\"authenticated\",\"role\":\"" + role + "\","
                + "\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = b64.encodeToString(mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));
        return header + "." + claims + "." + signature;
    }
}
