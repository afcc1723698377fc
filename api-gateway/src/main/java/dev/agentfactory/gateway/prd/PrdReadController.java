package dev.agentfactory.gateway.prd;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
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
import dev.agentfactory.gateway.read.FirstPages;
import dev.agentfactory.gateway.read.JsonPatchDiff;
import dev.agentfactory.store.ListFilter;
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
    private final FirstPages firstPages;
    private final JsonPatchDiff diff;

    PrdReadController(CachedReads reads, PrdRepository prds, Paging paging, FirstPages firstPages, JsonMapper json) {
        this.reads = reads;
        this.prds = prds;
        this.paging = paging;
        this.firstPages = firstPages;
        this.diff = new JsonPatchDiff(json);
    }

    /** The API document's shape of a list page (the handler may answer with pre-serialized JSON). */
    @Schema(name = "PagePrd")
    record PrdPage(List<Prd> items, String nextCursor) {
    }

    @GetMapping
    @ApiResponse(responseCode = "200", description = "one page, newest first unless sort says otherwise",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = PrdPage.class)))
    ResponseEntity<?> list(@RequestParam(required = false) String status, @RequestParam(required = false) String updatedSince,
                           @RequestParam(required = false) String q, @RequestParam(required = false) String sort,
                           @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        PrdStatus s = ListParams.status(status, PrdStatus::fromDb, PrdStatus.values(), PrdStatus::dbValue);
        ListFilter filter = ListParams.filter(updatedSince, q, sort);
        String after = Paging.entityCursor(cursor);
        int size = paging.limit(limit);
        return firstPages.prds(after, s + "|" + filter + "|" + size, () -> prds.list(s, filter, after, size));
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
        var after = Paging.numberCursor(cursor);
        int size = paging.limit(limit);
        requirePrd(id);
        return prds.versions(id, after, size);
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
        requirePrd(id);
        return prds.links(id);
    }

    /** An unknown PRD's sub-resources are 404, not an empty list (a deleted PRD's stay readable). */
    private void requirePrd(UUID id) {
        if (reads.prd(id).isEmpty()) {
            throw ApiProblem.notFound("PRD " + id);
        }
    }
}
