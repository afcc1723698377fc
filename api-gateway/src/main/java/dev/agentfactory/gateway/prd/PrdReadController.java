package dev.agentfactory.gateway.prd;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.gateway.http.EntityResponses;
import dev.agentfactory.gateway.http.ListParams;
import dev.agentfactory.gateway.http.Paging;
import dev.agentfactory.gateway.problem.ApiProblem;
import dev.agentfactory.gateway.read.CachedReads;
import dev.agentfactory.gateway.read.JsonPatchDiff;
import dev.agentfactory.store.Page;
import dev.agentfactory.store.prd.Prd;
import dev.agentfactory.store.prd.PrdAgentLink;
import dev.agentfactory.store.prd.PrdRepository;
import dev.agentfactory.store.prd.PrdStatus;
import dev.agentfactory.store.prd.PrdVersion;

/** PRD reads: the list, one PRD by id or slug through the cache, versions, one version, a diff, linked agents. */
@RestController
@RequestMapping("/api/v1/prds")
class PrdReadController {

    private static final Set<String> BOOKKEEPING = Set.of("version", "updatedAt", "updatedBy");

    private final CachedReads reads;
    private final PrdRepository prds;
    private final Paging paging;
    private final JsonPatchDiff diff;

    PrdReadController(CachedReads reads, PrdRepository prds, Paging paging, JsonMapper json) {
        this.reads = reads;
        this.prds = prds;
        this.paging = paging;
        this.diff = new JsonPatchDiff(json);
    }

    @GetMapping
    Page<Prd> list(@RequestParam(required = false) String status, @RequestParam(required = false) String updatedSince,
                   @RequestParam(required = false) String q, @RequestParam(required = false) String sort,
                   @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        return prds.list(ListParams.status(status, PrdStatus::fromDb, "draft, review, approved, archived"),
                ListParams.filter(updatedSince, q, sort), Paging.entityCursor(cursor), paging.limit(limit));
    }

    @GetMapping("/{idOrSlug}")
    ResponseEntity<Object> get(@PathVariable String idOrSlug,
                               @RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch) {
        var prd = EntityResponses.idOrSlug(idOrSlug).map(reads::prd).orElseGet(() -> reads.prdBySlug(idOrSlug));
        return EntityResponses.read(prd, "PRD " + idOrSlug, ifNoneMatch, Prd::version, Prd::deletedAt);
    }

    @GetMapping("/{id}/versions")
    Page<PrdVersion> versions(@PathVariable UUID id, @RequestParam(required = false) String cursor,
                              @RequestParam(required = false) Integer limit) {
        return prds.versions(id, Paging.numberCursor(cursor), paging.limit(limit));
    }

    @GetMapping("/{id}/versions/{version}")
    PrdVersion version(@PathVariable UUID id, @PathVariable long version) {
        return prds.version(id, version).orElseThrow(() -> ApiProblem.notFound("version " + version + " of PRD " + id));
    }

    @GetMapping("/{id}/versions/diff")
    Map<String, Object> diff(@PathVariable UUID id, @RequestParam long from, @RequestParam long to) {
        return JsonPatchDiff.body(from, to, diff.diff(version(id, from).snapshot(), version(id, to).snapshot(),
                BOOKKEEPING));
    }

    @GetMapping("/{id}/agents")
    List<PrdAgentLink> agents(@PathVariable UUID id) {
        return prds.links(id);
    }
}
