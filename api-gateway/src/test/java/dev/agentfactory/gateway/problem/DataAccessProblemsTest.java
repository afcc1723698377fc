package dev.agentfactory.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;

/**
 * A request the database refuses for its content can never succeed by retrying, so it is the client's 400;
 * only failures of the database itself (or unknown ones) are 503 with Retry-After.
 */
class DataAccessProblemsTest {

    private final ProblemDetailsAdvice advice = new ProblemDetailsAdvice();

    @ParameterizedTest
    @ValueSource(strings = {"22008", "22P05", "22021", "22001", "22023", "22P02", "54000", "54001"})
    void aDataExceptionOrProgramLimitIsTheClientsBadRequest(String sqlState) {
        ResponseEntity<ProblemDetail> res = advice.dataAccess(
                new DataIntegrityViolationException("x", new SQLException("secret SQL text", sqlState)));

        assertThat(res.getStatusCode().value()).isEqualTo(400);
        assertThat(res.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
        assertThat(res.getBody().getType().toString()).isEqualTo(ProblemResponses.TYPE_BASE + "bad-request");
        assertThat(res.getBody().getDetail()).doesNotContain("secret", sqlState);
    }

    @Test
    void theSqlExceptionIsFoundAnywhereInTheCauseChain() {
        SQLException refused = new SQLException("date/time field value out of range", "22008");
        DataAccessException e = new UncategorizedSQLException("list", "SELECT ...",
                new SQLException("wrapper without a state", (String) null, new RuntimeException(refused)));

        assertThat(advice.dataAccess(e).getStatusCode().value()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"08006", "08001", "53300", "57P01", "57P03", "57014", "40001", "40P01", "XX000", "42P01",
            "22012"})  // division by zero: the gateway's own SQL at fault, not the client's values
    void aFailureOfTheDatabaseItselfOrAnUnknownOneIsUnavailableWithRetryAfter(String sqlState) {
        assertUnavailable(advice.dataAccess(new UncategorizedSQLException("q", "SELECT ...",
                new SQLException("failure", sqlState))));
    }

    @Test
    void connectionTimeoutsPoolExhaustionAndRedisAreUnavailableWithRetryAfter() {
        assertUnavailable(advice.dataAccess(new CannotGetJdbcConnectionException("pool exhausted",
                new SQLTransientConnectionException("Connection is not available, request timed out"))));
        assertUnavailable(advice.dataAccess(new QueryTimeoutException("timed out")));
        assertUnavailable(advice.dataAccess(new RedisConnectionFailureException("redis down")));
        assertUnavailable(advice.dataAccess(new UncategorizedSQLException("q", "SELECT ...",
                new SQLException("no state"))));
    }

    private static void assertUnavailable(ResponseEntity<ProblemDetail> res) {
        assertThat(res.getStatusCode().value()).isEqualTo(503);
        assertThat(res.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
        assertThat(res.getBody().getType().toString()).isEqualTo(ProblemResponses.TYPE_BASE + "dependency-unavailable");
    }
}
