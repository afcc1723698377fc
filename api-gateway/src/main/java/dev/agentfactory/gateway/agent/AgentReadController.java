package dev.agentfactory.gateway.agent;

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
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.AgentRepository;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.agent.AgentVersion;
import dev.agentfactory.store.agent.HistoryEntry;
import dev.agentfactory.store.prd.PrdAgentLink;
import dev.agentfactory.store.prd.PrdRepository;

/**
 * Agent reads: the list (filters, keyset pages), one agent by id or slug through the cache, its versions,
 * one version, the diff between two versions, its history and the PRDs that specify it.
 */
@RestController
@RequestMapping("/api/v1/agents")
class AgentReadController {

    private static final Set<String> BOOKKEEPING = Set.of("version", "updatedAt", "updatedBy");

    private final CachedReads reads;
    private final AgentRepository agents;
    private final PrdRepository prds;
    private final Paging paging;
    private final FirstPages firstPages;
    private final JsonPatchDiff diff;

    AgentReadController(CachedReads reads, AgentRepository agents, PrdRepository prds, Paging paging, FirstPages firstPages,
                        JsonMapper json) {
        this.reads = reads;
        this.agents = agents;
        this.prds = prds;
        this.paging = paging;
        this.firstPages = firstPages;
        this.diff = new JsonPatchDiff(json);
    }

    /** The API document's shape of a list page (the handler may answer with pre-serialized JSON). */
    @Schema(name = "PageAgent")
    record AgentPage(List<Agent> items, String nextCursor) {
    }

    @GetMapping
    @ApiResponse(responseCode = "200", description = "one page, newest first unless sort says otherwise",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = AgentPage.class)))
    ResponseEntity<?> list(@RequestParam(required = false) String status, @RequestParam(required = false) String updatedSince,
                           @RequestParam(required = false) String q, @RequestParam(required = false) String sort,
                           @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        AgentStatus s = ListParams.status(status, AgentStatus::fromDb, AgentStatus.values(), AgentStatus::dbValue);
        ListFilter filter = ListParams.filter(updatedSince, q, sort);
        String after = Paging.entityCursor(cursor);
        int size = paging.limit(limit);
        return firstPages.agents(after, s + "|" + filter + "|" + size, () -> agents.list(s, filter, after, size));
    }

    @GetMapping("/{idOrSlug}")
    ResponseEntity<Object> get(@PathVariable String idOrSlug,
                               @RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch) {
        var agent = EntityResponses.idOrSlug(idOrSlug).map(reads::agent).orElseGet(() -> reads.agentBySlug(idOrSlug));
        return EntityResponses.read(agent, "agent " + idOrSlug, ifNoneMatch, Agent::version, Agent::deletedAt);
    }

    @GetMapping("/{id}/versions")
    Page<AgentVersion> versions(@PathVariable UUID id, @RequestParam(required = false) String cursor,
                                @RequestParam(required = false) Integer limit) {
        var after = Paging.numberCursor(cursor);
        int size = paging.limit(limit);
        requireAgent(id);
        return agents.versions(id, after, size);
    }

    @GetMapping("/{id}/versions/{version}")
    AgentVersion version(@PathVariable UUID id, @PathVariable long version) {
        return agents.version(id, version).orElseThrow(() -> ApiProblem.notFound("version " + version + " of agent " + id));
    }

    @GetMapping("/{id}/versions/diff")
    Map<String, Object> diff(@PathVariable UUID id, @RequestParam long from, @RequestParam long to) {
        Agent a = version(id, from).snapshot();
        Agent b = version(id, to).snapshot();
        return JsonPatchDiff.body(from, to, diff.diff(a, b, BOOKKEEPING));
    }

    @GetMapping("/{id}/history")
    Page<HistoryEntry> history(@PathVariable UUID id, @RequestParam(required = false) String cursor,
                               @RequestParam(required = false) Integer limit) {
        var after = Paging.afterSeq(cursor);
        int size = paging.limit(limit);
        requireAgent(id);
        return agents.history(id, after, size);
    }

    /**
     * Paged, unlike a PRD's agents: nothing bounds how many PRDs link one agent, and a whole list of them was built
     * for every request.
     */
    @GetMapping("/{id}/prds")
    @ApiResponse(responseCode = "200", description = "one page of the PRDs that link the agent, by PRD id")
    Page<PrdAgentLink> prds(@PathVariable UUID id, @RequestParam(required = false) String cursor,
                            @RequestParam(required = false) Integer limit) {
        String after = Paging.entityCursor(cursor);
        int size = paging.limit(limit);
        requireAgent(id);
        return prds.linksOfAgent(id, after, size);
    }

    /**
     * An unknown agent's sub-resources are 404, not an empty list (a deleted agent's stay readable), as its own
     * URL is; the lookup goes through the cache, as a read of the agent does.
     */
    private void requireAgent(UUID id) {
        if (reads.agent(id).isEmpty()) {
            throw ApiProblem.notFound("agent " + id);
        }
    }
}
