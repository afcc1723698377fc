package dev.agentfactory.gateway.writes;

import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;

/** Converts a stored outcome ({@code processed_events}) to the outcome record of the results topic. */
final class Outcomes {

    private Outcomes() {
    }

    static WriteOutcome fromStore(dev.agentfactory.store.writes.WriteOutcome o) {
        return new WriteOutcome(o.eventId(), o.entityType(), o.entityId(), o.commandType(), Status.valueOf(o.outcome()),
                o.version(), null, o.reason(), o.processedAt());
    }
}
