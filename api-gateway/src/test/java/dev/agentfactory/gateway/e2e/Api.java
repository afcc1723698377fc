package dev.agentfactory.gateway.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client of the gateway with a real signed token: what the dashboard does. */
final class Api {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    final String token;
    final String subject = UUID.randomUUID().toString();

    Api(int port, String secret, String role) {
        this.port = port;
        this.token = token(secret, role, subject);
    }

    Response get(String path, String... headers) {
        return send("GET", path, null, null, headers);
    }

    Response post(String path, String json, String... headers) {
        return send("POST", path, json, "application/json", headers);
    }

    Response put(String path, String json, String... headers) {
        return send("PUT", path, json, "application/json", headers);
    }

    Response patch(String path, String json, String... headers) {
        return send("PATCH", path, json, "application/merge-patch+json", headers);
    }

    Response delete(String path, String... headers) {
        return send("DELETE", path, null, null, headers);
    }

    Response send(String method, String path, String body, String contentType, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r);
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }

    static String token(String secret, String role, String subject) {
        return dev.agentfactory.gateway.GatewayTestStack.token(secret, role, subject);
    }

    /** A response with its body parsed on demand. */
    record Response(HttpResponse<String> raw) {
        int status() {
            return raw.statusCode();
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        JsonNode json() {
            return JSON.readTree(raw.body());
        }

        String body() {
            return raw.body();
        }

        @Override
        public String toString() {
            return raw.statusCode() + " " + raw.body();
        }
    }
}
