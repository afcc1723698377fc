package dev.agentfactory.gateway.writes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.gateway.problem.ApiProblem;

/**
 * {@code Idempotency-Key} support: the key and the caller's subject name a stable eventId (so the worker's
 * dedup answers a retried request with the first outcome), and a fingerprint of the request (method,
 * path, If-Match, body) is remembered with it in Redis, so reusing a key for a different request is
 * refused with 422 instead of silently answering the first one.
 */
@Component
class IdempotencyKeys {

    private static final Pattern KEY = Pattern.compile("^[\\x21-\\x7e]{1,200}$");

    private final StringRedisTemplate redis;
    private final String prefix;
    private final Duration ttl;

    IdempotencyKeys(StringRedisTemplate redis, GatewayProperties props) {
        this.redis = redis;
        this.prefix = props.cache().prefix() + ":idempotency:";
        this.ttl = props.writes().idempotencyTtl();
    }

    /** The eventId of a keyed request; a name-based UUID, so every gateway instance derives the same one. */
    static UUID eventId(String subject, String key) {
        if (!KEY.matcher(key).matches()) {
            throw ApiProblem.badRequest("bad-idempotency-key", "Idempotency-Key must be 1..200 visible ASCII characters");
        }
        return UUID.nameUUIDFromBytes(("idempotency\n" + subject + "\n" + key).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Remembers the request under its eventId, or checks that a repeat is the same request; true when the
     * key was not remembered (a first use, or one whose fingerprint expired or was evicted).
     */
    boolean claim(UUID eventId, String method, String path, Long expectedVersion, byte[] body) {
        String fingerprint = fingerprint(method, path, expectedVersion, body);
        String key = prefix + eventId;
        Boolean first = redis.opsForValue().setIfAbsent(key, fingerprint, ttl);
        if (Boolean.TRUE.equals(first)) {
            return true;
        }
        String seen = redis.opsForValue().get(key);
        if (seen != null && !seen.equals(fingerprint)) {
            throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
                    "this Idempotency-Key was used for a different request");
        }
        return false;
    }

    private static String fingerprint(String method, String path, Long expectedVersion, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((method + " " + path + "\n" + expectedVersion + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
