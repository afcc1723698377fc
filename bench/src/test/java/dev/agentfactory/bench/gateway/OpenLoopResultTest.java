package dev.agentfactory.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.agentfactory.bench.Figures;
import dev.agentfactory.bench.Verdict;

class OpenLoopResultTest {

    private static final long MS = 1_000_000;

    private static OpenLoopLoad.Result run(String name, int answered, long latencyNanos, int errors) {
        long[] latencies = new long[answered];
        Arrays.fill(latencies, latencyNanos);
        return new OpenLoopLoad.Result(name, 500, latencies, errors, 1.0);
    }

    @Test
    void failedRequestsCountInThePercentilesAndTheMean() {
        OpenLoopLoad.Result r = run("get_hit", 98, 2 * MS, 2);
        assertThat(r.percentileMs(50)).isEqualTo(2.0);
        assertThat(r.percentileMs(99)).as("the 99th of 100 requests is a failed one").isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(r.meanMs()).isEqualTo(Double.POSITIVE_INFINITY);
        OpenLoopLoad.Result clean = run("get_hit", 100, 2 * MS, 0);
        assertThat(clean.percentileMs(99)).isEqualTo(2.0);
        assertThat(clean.meanMs()).isEqualTo(2.0);
    }

    @Test
    void aTargetIsMissedByARunWithErrorsEvenWhenItsPercentileIsWithinIt() {
        // one failure in 1,000: the p99 still falls on an answer of 2 ms
        List<OpenLoopLoad.Result> results = List.of(run("get_hit", 999, 2 * MS, 1), run("list", 1000, 2 * MS, 0));
        double p99 = results.get(0).percentileMs(99);
        assertThat(p99).isEqualTo(2.0);
        Verdict hit = GatewayBench.verdict(results, List.of("get_hit"), p99, 10);
        assertThat(hit.met()).isFalse();
        assertThat(hit.word()).contains("1 request failed");
        assertThat(GatewayBench.verdict(results, List.of("list"), 2.0, 50).met()).isTrue();
    }

    @Test
    void aWriteWhoseWaitRanOutIsNotAnsweredWithinTheWait() {
        // 1 of 400 fallback writes answered 202 after the 5 s wait: its p99 is still an answer well under the limit
        OpenLoopLoad.Result fallback = run("wait_fallback", 399, 300 * MS, 1);
        OpenLoopLoad.Result topic = run("wait_topic", 400, 80 * MS, 0);
        List<WriteWaitBench.Run> runs = List.of(new WriteWaitBench.Run("topic", topic, 400, 0, 0, 0, 0, 0, 0),
                new WriteWaitBench.Run("fallback", fallback, 0, 399, 15, 0, 0, 0, 0));
        Verdict v = WaitReport.put(new Figures("gateway-test"), runs);
        assertThat(v.met()).isFalse();
        assertThat(v.why()).contains("1 request failed");
        assertThat(WaitReport.put(new Figures("gateway-test"), List.of(runs.get(0),
                new WriteWaitBench.Run("fallback", run("wait_fallback", 400, 300 * MS, 0), 0, 400, 15, 0, 0, 0, 0)))
                .met()).isTrue();
    }
}
