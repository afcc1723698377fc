package dev.agentfactory.gateway.audit;

import java.time.Instant;
import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.agentfactory.gateway.http.ListParams;
import dev.agentfactory.gateway.http.Paging;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.audit.AuditEntry;
import dev.agentfactory.store.audit.AuditRepository;

/**
 * {@code GET /api/v1/audit} (service_role only, see the security configuration): one entity's entries
 * ({@code entityType} + {@code entityId}), one actor's, or everything, within {@code [from, to)}.
 */
@RestController
@RequestMapping("/api/v1/audit")
class AuditController {

    private final AuditRepository audit;
    private final Paging paging;

    AuditController(AuditRepository audit, Paging paging) {
        this.audit = audit;
        this.paging = paging;
    }

    @GetMapping
    Page<AuditEntry> entries(@RequestParam(required = false) String entityType,
                             @RequestParam(required = false) UUID entityId,
                             @RequestParam(required = false) String actor,
                             @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                             @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        int size = paging.limit(limit);
        String after = Paging.numberCursor(cursor);
        Instant start = Paging.instant(from, "from", Instant.EPOCH);
        Instant end = Paging.instant(to, "to", Instant.now().plusSeconds(60));
        if (!start.isBefore(end)) {
            throw ApiProblem.badRequest("bad-parameter", "from must be before to");
        }
        if (entityId != null || entityType != null) {
            if (entityId == null || !("agent".equals(entityType) || "prd".equals(entityType))) {
                throw ApiProblem.badRequest("bad-parameter", "entityType (agent or prd) and entityId go together");
            }
            return audit.byEntity(entityType, entityId, start, end, after, size);
        }
        if (actor != null && (actor.isBlank() || actor.length() > 200)) {
            throw ApiProblem.badRequest("bad-parameter", "actor must have 1..200 characters");
        }
        ListParams.storable(actor, "actor");
        return actor != null ? audit.byActor(actor, start, end, after, size) : audit.byTime(start, end, after, size);
    }
}
