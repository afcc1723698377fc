package dev.agentfactory.bench.gateway;

import java.util.List;
import java.util.Locale;

import dev.agentfactory.bench.Figures;
import dev.agentfactory.bench.Verdict;

/**
 * The figures of {@link WriteWaitBench}: per run {@code wait_<variant>_<rate>rps_*}, then the headline, the
 * fallback's worst p99 beside its peer (the topic-answered run's) and its limit, the wait itself. A write whose
 * wait runs out is answered 202, later than the limit: it counts in {@code errors} and in the percentiles as
 * slower than any answer, and {@code not_answered_within_wait} counts it, so "answered within the wait" is a
 * measurement, not true by construction. The stalled run expects its 202s and is not held to the limit.
 */
final class WaitReport {

    private WaitReport() {
    }

    /** Puts the figures and prints the verdict: every write of the fallback's open-loop runs answered within the wait. */
    static Verdict put(Figures figures, List<WriteWaitBench.Run> runs) {
        for (WriteWaitBench.Run run : runs) {
            OpenLoopLoad.Result r = run.load();
            String p = "wait_" + run.variant() + r.rateLabel();
            // errors: not the status expected (a 202: the wait ran out, or on the stalled run anything but 202)
            r.putAnswerTimes(figures, p);
            if (!run.variant().equals("stalled")) {
                figures.put(p + "answered_within_wait", r.latencies().length, "count");
                figures.put(p + "not_answered_within_wait", r.errors(), "count");
            }
            figures.put(p + "answered_by_topic", run.byTopic(), "count");
            figures.put(p + "answered_by_poll", run.byPoll(), "count");
            figures.put(p + "fallback_queries_per_s", run.polls(), "1/s");
            figures.put(p + "db_xact_per_s", run.dbTransactions(), "1/s");
            figures.put(p + "pending_peak", run.pendingPeak(), "count");
            figures.put(p + "threads_peak", run.threadsPeak(), "count");
            figures.put(p + "pending_after", run.pendingAfter(), "count");
        }
        double fallback = worst(runs, "fallback");
        double topic = worst(runs, "topic");
        long limit = WriteWaitBench.WAIT_SECONDS * 1000L;
        List<OpenLoopLoad.Result> measured = runs.stream()
                .filter(r -> r.variant().equals("fallback") && r.load().rate() > 0).map(WriteWaitBench.Run::load).toList();
        long late = measured.stream().mapToLong(OpenLoopLoad.Result::errors).sum();
        long writes = measured.stream().mapToLong(OpenLoopLoad.Result::requests).sum();
        figures.put("wait_fallback_p99_ms", fallback, "ms");
        figures.put("wait_topic_p99_ms", topic, "ms");
        figures.put("wait_limit_ms", limit, "ms");
        figures.put("wait_fallback_not_answered_within_wait", late, "count");
        Verdict verdict = OpenLoopLoad.Result.atMost(measured, fallback, limit);
        System.out.printf(Locale.ROOT, "# wait p99: fallback %.1f ms vs topic (peer) %.1f ms, limit %d ms; "
                + "%d of %d fallback writes not answered within the wait: %s%n", fallback, topic, limit, late, writes,
                verdict.word());
        return verdict;
    }

    private static double worst(List<WriteWaitBench.Run> runs, String variant) {
        return runs.stream().filter(r -> r.variant().equals(variant) && r.load().rate() > 0)
                .mapToDouble(r -> r.load().percentileMs(99))
                .max().orElse(Double.NaN);
    }
}
