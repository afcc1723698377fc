package dev.agentfactory.gateway.problem;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.agentfactory.gateway.GatewayProperties;

/**
 * Refuses request bodies over the configured limit with 413 before anything reads them; bodies sent
 * without a length (chunked) are capped while they are read by {@link LimitedBodyRequest}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class BodySizeLimitFilter extends OncePerRequestFilter {

    private final long maxBytes;
    private final ProblemResponses problems;

    BodySizeLimitFilter(GatewayProperties props, ProblemResponses problems) {
        this.maxBytes = props.maxBodyBytes();
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws ServletException, IOException {
        if (req.getContentLengthLong() > maxBytes) {
            problems.write(req, res, ProblemResponses.problem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large",
                    "request body exceeds " + maxBytes + " bytes"));
            return;
        }
        chain.doFilter(req.getContentLengthLong() < 0 ? new LimitedBodyRequest(req, maxBytes) : req, res);
    }
}
