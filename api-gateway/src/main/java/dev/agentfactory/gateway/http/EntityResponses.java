package dev.agentfactory.gateway.http;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import dev.agentfactory.gateway.problem.ApiProblem;

/**
 * The answer to a single-entity read: 200 with the entity and its ETag, 304 when {@code If-None-Match}
 * names the current version, 404 when unknown, 410 (with the version and deletion time) when deleted.
 */
public final class EntityResponses {

    private static final Pattern UUID_FORMAT =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final Pattern SLUG = Pattern.compile("^[a-z0-9][a-z0-9-]{0,99}$");

    private EntityResponses() {
    }

    public static <T> ResponseEntity<Object> read(Optional<T> entity, String what, String ifNoneMatch,
                                                  java.util.function.ToLongFunction<T> version,
                                                  java.util.function.Function<T, Instant> deletedAt) {
        T e = entity.orElseThrow(() -> ApiProblem.notFound(what));
        long v = version.applyAsLong(e);
        if (deletedAt.apply(e) != null) {
            throw gone(what, v, deletedAt.apply(e));
        }
        if (Preconditions.notModified(ifNoneMatch, v)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(Preconditions.etag(v)).build();
        }
        return ResponseEntity.ok().eTag(Preconditions.etag(v)).body(e);
    }

    /**
     * The one answer for a (soft-)deleted entity, to a read or a write: 410 {@code deleted} with the version
     * the deletion made and when. Deletion is final (no command undeletes), hence Gone rather than 404.
     */
    public static ApiProblem gone(String what, long version, Instant deletedAt) {
        return new ApiProblem(HttpStatus.GONE, "deleted", what + " was deleted").with("version", version)
                .with("deletedAt", deletedAt.toString());
    }

    /** An {id-or-slug} path segment: a UUID, else a slug, else a 400 (never a query with arbitrary text). */
    public static Optional<UUID> idOrSlug(String segment) {
        if (UUID_FORMAT.matcher(segment).matches()) {
            return Optional.of(UUID.fromString(segment));
        }
        if (SLUG.matcher(segment).matches()) {
            return Optional.empty();
        }
        throw ApiProblem.badRequest("bad-id", "expected a UUID or a slug (lower-case letters, digits and dashes)");
    }
}
