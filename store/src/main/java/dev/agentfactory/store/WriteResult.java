package dev.agentfactory.store;

/**
 * The outcome of a version-guarded single-entity write. A write never overwrites a newer version:
 * {@link Stale} when the store already holds this version or a newer one (a replay, or the importer's
 * second run), {@link Conflict} when the entity is at another version than the one the write
 * follows, or is deleted.
 */
public sealed interface WriteResult<T> {

    /** Written; {@code value} is what the store now holds. */
    record Applied<T>(T value) implements WriteResult<T> {
    }

    /** Not written: the store holds {@code currentVersion}, at least as new as the write. */
    record Stale<T>(long currentVersion) implements WriteResult<T> {
    }

    /** Not written: the store holds {@code currentVersion}, which the write does not follow, or the entity is deleted. */
    record Conflict<T>(long currentVersion, boolean deleted) implements WriteResult<T> {
    }

    /** Not written: the entity (or one it refers to) does not exist. */
    record NotFound<T>(String what) implements WriteResult<T> {
    }

    /** Not written: the write breaks a rule (a slug taken by another entity, a forbidden status move). */
    record Rejected<T>(String reason) implements WriteResult<T> {
    }

    /** Why a write of version {@code wanted} did not apply to a row at {@code current}. */
    static <T> WriteResult<T> versionClash(long wanted, long current, boolean deleted) {
        return current >= wanted ? new Stale<>(current) : new Conflict<>(current, deleted);
    }

    default boolean applied() {
        return this instanceof Applied<T>;
    }
}
