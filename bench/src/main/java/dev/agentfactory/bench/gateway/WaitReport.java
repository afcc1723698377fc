package dev.agentfactory.bench.gateway;

import java.util.List;
import java.util.Locale;

import dev.agentfactory.bench.Figures;

/**
 * The figures of {@link WriteWaitBench}: per run {@code wait_<variant>_<rate>rps_*}, then the headline, the
 * fallback's worst p99 beside its peer (the topic-answered run's) and its limit (the wait itself: an answer
 * later than that is a 202, counted in {@code errors}).
 */
final class WaitReport {

    private WaitReport() {
    }

    static void put(Figures figures, List<WriteWaitBench.Run> runs) {
        for (WriteWaitBench.Run run : runs) {
            OpenLoopLoad.Result r = run.load();
            String p = "wait_" + run.variant() + r.rateLabel();
            // errors: not the status expected (a 202: the wait ran out, or on the stalled run anything but 202)
            r.putAnswerTimes(figures, p);
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
        figures.put("wait_fallback_p99_ms", fallback, "ms");
        figures.put("wait_topic_p99_ms", topic, "ms");
        figures.put("wait_limit_ms", WriteWaitBench.WAIT_SECONDS * 1000, "ms");
        System.out.printf(Locale.ROOT, "# wait p99: fallback %.1f ms vs topic (peer) %.1f ms, limit %d ms%n",
                fallback, topic, WriteWaitBench.WAIT_SECONDS * 1000);
    }

    private static double worst(List<WriteWaitBench.Run> runs, String variant) {
        return runs.stream().filter(r -> r.variant().equals(variant) && r.load().rate() > 0)
                .mapToDouble(r -> r.load().percentileMs(99))
                .max().orElse(Double.NaN);
    }
}
