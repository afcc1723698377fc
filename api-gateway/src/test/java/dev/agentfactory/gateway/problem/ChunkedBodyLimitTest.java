package dev.agentfactory.gateway.problem;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.time.Duration;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.agentfactory.gateway.GatewayProperties;

/**
 * A body sent without Content-Length (chunked) is capped while it is read; one that grows past the limit fails
 * inside Jackson, which wraps the error twice, and must still be 413 body-too-large, not 400.
 */
class ChunkedBodyLimitTest {

    @RestController
    static class Echo {
        @PostMapping("/echo")
        String echo(@RequestBody JsonNode body) {
            return "ok";
        }
    }

    /** What Tomcat reports for Transfer-Encoding: chunked: no length. */
    static class Chunked extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
                throws ServletException, IOException {
            chain.doFilter(new HttpServletRequestWrapper(req) {
                @Override
                public long getContentLengthLong() {
                    return -1;
                }

                @Override
                public int getContentLength() {
                    return -1;
                }
            }, res);
        }
    }

    private final MockMvc mvc = mvc();

    @Test
    void aChunkedBodyOverTheLimitIsContentTooLarge() throws Exception {
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content(json(10_000)))
                .andExpect(status().is(413))
                .andExpect(jsonPath("$.type").value(ProblemResponses.TYPE_BASE + "body-too-large"));
    }

    @Test
    void aChunkedBodyWithinTheLimitIsReadAndOneThatIsNotJsonStaysABadRequest() throws Exception {
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content(json(100)))
                .andExpect(status().isOk());
        mvc.perform(post("/echo").contentType(MediaType.APPLICATION_JSON).content("{\"name\":"))
                .andExpect(status().isBadRequest());
    }

    private static String json(int chars) {
        return "{\"name\":\"" + "x".repeat(chars) + "\"}";
    }

    private static MockMvc mvc() {
        GatewayProperties props = new GatewayProperties(1024, Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka("a", "p", "r", "g"),
                new GatewayProperties.Cache("t", Duration.ofHours(1), Duration.ofSeconds(10), 64),
                new GatewayProperties.Writes(Duration.ofMillis(250), Duration.ofHours(24), 8, Duration.ofSeconds(10)));
        ProblemResponses problems = new ProblemResponses(JsonMapper.builder().build());
        return MockMvcBuilders.standaloneSetup(new Echo()).setControllerAdvice(new ProblemDetailsAdvice())
                .addFilters(new Chunked(), new BodySizeLimitFilter(props, problems)).build();
    }
}
