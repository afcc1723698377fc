package dev.agentfactory.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.http.ProblemDetail;

import dev.agentfactory.gateway.problem.ApiProblem;

class PreconditionsTest {

    @Test
    void ifMatchBecomesTheExpectedVersionAndAnythingElseIsRefused() {
        assertThat(Preconditions.expectedVersion("\"7\"")).isEqualTo(7L);
        assertThat(Preconditions.expectedVersion(null)).isNull();
        for (String bad : new String[] {"7", "\"-1\"", "\"1 OR 1=1\"", "\"99999999999999999999\"", "**"}) {
            assertThat(problemOf(() -> Preconditions.expectedVersion(bad)).getStatus()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void aWeakIfMatchTagNeverMatchesBecauseIfMatchComparesStrongly() {
        ProblemDetail weak = problemOf(() -> Preconditions.expectedVersion("W/\"3\""));
        assertThat(weak.getStatus()).isEqualTo(412);
        assertThat(weak.getType().toString()).endsWith("/precondition-failed");
    }

    @Test
    void ifMatchStarAsksOnlyThatTheEntityExistsSoItSetsNoExpectedVersion() {
        assertThat(Preconditions.expectedVersion("*")).isNull();
        assertThat(Preconditions.expectedVersion(" * ")).isNull();
    }

    @Test
    void aListOfIfMatchTagsIsABadRequestThatSaysListsAreNotSupported() {
        ProblemDetail list = problemOf(() -> Preconditions.expectedVersion("\"7\", \"8\""));
        assertThat(list.getStatus()).isEqualTo(400);
        assertThat(list.getType().toString()).endsWith("/bad-if-match");
        assertThat(list.getDetail()).contains("list").contains("not supported");
    }

    @Test
    void ifNoneMatchMatchesTheCurrentVersionInAListOrAStar() {
        assertThat(Preconditions.notModified("\"3\"", 3)).isTrue();
        assertThat(Preconditions.notModified("\"2\", W/\"3\"", 3)).isTrue();
        assertThat(Preconditions.notModified("*", 3)).isTrue();
        assertThat(Preconditions.notModified("\"2\"", 3)).isFalse();
        assertThat(Preconditions.notModified(null, 3)).isFalse();
    }

    @Test
    void preferWaitIsCappedAndOtherPreferencesAreIgnored() {
        Duration max = Duration.ofSeconds(30);
        assertThat(Preconditions.wait("wait=5", max)).isEqualTo(Duration.ofSeconds(5));
        assertThat(Preconditions.wait("respond-async, wait=10", max)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Preconditions.wait("wait=600", max)).isEqualTo(max);
        assertThat(Preconditions.wait("return=minimal", max)).isZero();
        assertThat(Preconditions.wait("nowait=5", max)).isZero();
        assertThat(Preconditions.wait(null, max)).isZero();
    }

    @Test
    void aWriteToADeletedEntityIsGoneWithOrWithoutIfMatchLikeARead() {
        Instant deletedAt = Instant.parse("2026-03-01T10:15:30Z");
        ProblemDetail read = problemOf(() -> EntityResponses.read(java.util.Optional.of(4L), "agent a1", null,
                v -> v, v -> deletedAt));
        for (boolean ifMatch : new boolean[] {true, false}) {
            ProblemDetail write = Preconditions.writeConflict("agent a1", ifMatch, 4L, deletedAt,
                    "agent a1 is deleted").problem();
            assertThat(write.getStatus()).as("If-Match %s", ifMatch).isEqualTo(410);
            assertThat(write.getType()).isEqualTo(read.getType());
            assertThat(write.getType().toString()).endsWith("/deleted");
            assertThat(write.getProperties()).containsEntry("version", 4L)
                    .containsEntry("deletedAt", "2026-03-01T10:15:30Z").doesNotContainKey("currentVersion");
            assertThat(write.getProperties()).isEqualTo(read.getProperties());
        }
    }

    @Test
    void aVersionMismatchOnALiveEntityFailsTheIfMatchAndIsAConflictWithoutOne() {
        ProblemDetail failed = Preconditions.writeConflict("agent a1", true, 3L, null,
                "expected version 1 but the agent is at version 3").problem();
        assertThat(failed.getStatus()).isEqualTo(412);
        assertThat(failed.getType().toString()).endsWith("/precondition-failed");
        assertThat(failed.getProperties()).containsEntry("currentVersion", 3L);

        ProblemDetail conflict = Preconditions.writeConflict("agent a1", false, 3L, null, "something changed").problem();
        assertThat(conflict.getStatus()).isEqualTo(409);
        assertThat(conflict.getType().toString()).endsWith("/conflict");
        assertThat(conflict.getDetail()).isEqualTo("something changed");
        assertThat(conflict.getProperties()).containsEntry("currentVersion", 3L);
    }

    private static ProblemDetail problemOf(Runnable call) {
        try {
            call.run();
        } catch (ApiProblem p) {
            return p.problem();
        }
        throw new AssertionError("expected a problem");
    }
}
