package dev.agentfactory.store;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;

/** A constraint the database enforced (never retried) as the reason of a {@link WriteResult.Rejected}. */
public final class ConstraintViolations {

    private ConstraintViolations() {
    }

    public static <T> WriteResult<T> rejected(DataIntegrityViolationException e, String entity, String slug) {
        if (e instanceof DuplicateKeyException) {
            return new WriteResult.Rejected<>("slug '" + slug + "' is taken by another " + entity);
        }
        return rejected(e);
    }

    /** The database's reason, first line, for a write whose row has no unique slug to name. */
    public static <T> WriteResult<T> rejected(DataIntegrityViolationException e) {
        Throwable cause = e.getMostSpecificCause();
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage().lines().findFirst().orElse("");
        return new WriteResult.Rejected<>(message.replaceFirst("^ERROR: ", ""));
    }
}
