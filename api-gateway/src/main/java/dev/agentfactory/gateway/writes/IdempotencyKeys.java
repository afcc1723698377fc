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
    /** Stored in place of a fingerprint; never a SHA-256 hex digest. */
    static final String EXPIRED = "expired";

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
     * Remembers the request under its eventId, or checks that a repeat is the same request. For an eventId
     * not yet processed: a first use, a retry, or a key whose first request is still on its way.
     */
    void claim(UUID eventId, String method, String path, Long expectedVersion, byte[] body) {
        String key = prefix + eventId;
        String fingerprint = fingerprint(method, path, expectedVersion, body);
        if (!Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key, fingerprint, ttl))) {
            check(redis.opsForValue().get(key), fingerprint);
        }
    }

    /**
     * Checks a request whose eventId was already processed: only the request remembered under the key may
     * be answered with its outcome. A key that is not remembered (TTL, eviction, a flush) is marked expired
     * instead of taking this request's fingerprint, which would let a plain retry of this request pass for
     * the one that was processed: every later use of the key is then answered 422 idempotency-key-expired.
     */
    void checkProcessed(UUID eventId, String method, String path, Long expectedVersion, byte[] body) {
        String key = prefix + eventId;
        if (Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key, EXPIRED, ttl))) {
            throw expired();
        }
        String seen = redis.opsForValue().get(key);
        if (seen == null) {
            // Forgotten between the two calls: nothing to check against.
            throw expired();
        }
        check(seen, fingerprint(method, path, expectedVersion, body));
    }

    private static void check(String seen, String fingerprint) {
        if (EXPIRED.equals(seen)) {
            throw expired();
        }
        if (seen != null && !seen.equals(fingerprint)) {
            throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
                    "this Idempotency-Key was used for a different request");
        }
    }

    private static ApiProblem expired() {
        return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-expired",
                "this Idempotency-Key was used for a write that is no longer remembered; use a new key");
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
