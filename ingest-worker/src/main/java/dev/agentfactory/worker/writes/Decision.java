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
}
