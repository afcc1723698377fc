package dev.agentfactory.worker.writes;

import dev.agentfactory.contracts.WriteOutcome.Status;

/** What the rules made of one event, before it becomes a {@link dev.agentfactory.contracts.WriteOutcome}. */
record Decision(Status status, Long version, String reason) {

    static Decision applied(long version) {
        return new Decision(Status.APPLIED, version, null);
    }

    static Decision conflict(long currentVersion, String reason) {
        return new Decision(Status.CONFLICT, currentVersion, reason);
    }

    static Decision rejected(String reason) {
        return new Decision(Status.REJECTED, null, reason);
    }

    /**
     * The rules every write to an existing entity passes first, or the decision that stops it: the entity
     * must exist (REJECTED), be live (CONFLICT) and be at the expected version if one is given (CONFLICT).
     *
     * @return null when the write may proceed
     */
    static Decision precondition(String what, java.util.UUID id, boolean exists, java.time.Instant deletedAt,
                                 long version, Long expectedVersion) {
        if (!exists) {
            return rejected(what + " " + id + " does not exist");
        }
        if (deletedAt != null) {
            return conflict(version, what + " " + id + " is deleted");
        }
        if (expectedVersion != null && expectedVersion != version) {
            return conflict(version, "expected version " + expectedVersion + " but the " + what + " is at version "
                    + version);
        }
        return null;
    }
}
