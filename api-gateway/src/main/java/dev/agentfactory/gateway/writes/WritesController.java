package dev.agentfactory.gateway.writes;

import java.util.UUID;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.read.CachedReads;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * {@code GET /api/v1/writes/{eventId}}: what became of a write (from {@code processed_events}); 404 while
 * it is unknown or not processed yet. An APPLIED answer first moves the cache to at least that version,
 * so the client that learns "version N" here cannot read an older one next.
 */
@RestController
@RequestMapping("/api/v1/writes")
class WritesController {

    private final WriteOutcomeRepository outcomes;
    private final CachedReads reads;

    WritesController(WriteOutcomeRepository outcomes, CachedReads reads) {
        this.outcomes = outcomes;
        this.reads = reads;
    }

    @GetMapping("/{eventId}")
    ResponseEntity<WriteOutcome> outcome(@PathVariable UUID eventId) {
        WriteOutcome o = outcomes.find(eventId).orElseThrow(() -> ApiProblem.notFound(
                "write " + eventId + " (unknown, or not processed yet)"));
        if (o.status() == WriteOutcome.Status.APPLIED && o.version() != null && o.entityId() != null) {
            boolean agent = "agent".equals(o.entityType());
            String key = agent ? reads.keys().agent(o.entityId()) : reads.keys().prd(o.entityId());
            // A history append's outcome too, though the append changed nothing cached: Redis behind the version it
            // reports is a change the relay has not delivered yet, which a cached list page may lack as well.
            if (reads.cachedVersion(key) < o.version()) {
                if (agent) {
                    reads.refreshAgent(o.entityId());
                } else {
                    reads.refreshPrd(o.entityId());
                }
            }
        }
        return ResponseEntity.ok(o);
    }
}
