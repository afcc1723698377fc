package dev.agentfactory.gateway.problem;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A problem can carry headers: a write whose publish outcome is unknown is answered 503 with the Location where its
 * outcome will appear, as a 202 would be, even when it fails a write's future rather than being thrown.
 */
class ProblemHeadersTest {

    @RestController
    static class Unconfirmed {
        @PostMapping("/write")
        CompletableFuture<ResponseEntity<Object>> write() {
            ApiProblem unknown = new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "publish-outcome-unknown", "may have landed");
            unknown.headers().setLocation(URI.create("/api/v1/writes/e-1"));
            return CompletableFuture.supplyAsync(() -> {
                throw unknown;
            });
        }
    }

    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Unconfirmed())
            .setControllerAdvice(new ProblemDetailsAdvice()).build();

    @Test
    void aProblemIsAnsweredWithItsHeaders() throws Exception {
        MvcResult started = mvc.perform(post("/write")).andExpect(request().asyncStarted()).andReturn();

        mvc.perform(asyncDispatch(started)).andExpect(status().is(503))
                .andExpect(header().string(HttpHeaders.LOCATION, "/api/v1/writes/e-1"))
                .andExpect(jsonPath("$.type").value(ProblemResponses.TYPE_BASE + "publish-outcome-unknown"));
    }
}
