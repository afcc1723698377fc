package dev.agentfactory.bench.ingest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Polls a progress check until it reaches its goal and times the drain from the first sign of progress, so JVM
 * and connector start-up are not counted for any contender. The events already done when progress is first seen
 * are not credited to the drain: its rate and CPU per event are over the events done between first sight and the
 * end. The poll's own database backend is left out of the contender's CPU.
 */
final class Progress {

    /**
     * @param first when progress was first seen (nanoTime); @param done when the goal was reached
     * @param total the events of the whole workload; @param atFirst how many of them were done at {@code first}
     * @param processCpu CPU nanoseconds the contender's processes spent in between, or -1 if unknown
     * @param databaseCpu CPU nanoseconds its database backends spent in between, or -1 if unknown
     * @param jitCpu the part of processCpu its JIT compiler threads spent, or -1 if unknown
     */
    record Drain(long first, long done, long total, long atFirst, long processCpu, long databaseCpu, long jitCpu) {
        /** A drain that did not run: every figure of it is unknown (NaN). */
        static final Drain NONE = new Drain(0, 0, 0, 0, -1, -1, -1);

        /** The events done within the timed interval: those after the first sight of progress. */
        long timedEvents() {
            return total - atFirst;
        }

        /** Events per second over the timed interval; NaN when it saw no events (the drain ended between two polls). */
        double perSecond() {
            long events = timedEvents();
            return events <= 0 || done <= first ? Double.NaN : events / ((done - first) / 1e9);
        }

        /** Process and database CPU per event, in microseconds (NaN where unknown). */
        double cpuMicrosPerEvent() {
            return processCpu < 0 ? Double.NaN : perEvent(processCpu + databaseCpu);
        }

        double databaseCpuMicrosPerEvent() {
            return databaseCpu < 0 ? Double.NaN : perEvent(databaseCpu);
        }

        double jitCpuMicrosPerEvent() {
            return jitCpu < 0 ? Double.NaN : perEvent(jitCpu);
        }

        private double perEvent(long nanos) {
            long events = timedEvents();
            return events <= 0 ? Double.NaN : nanos / 1e3 / events;
        }
    }

    interface Check {
        /**
         * Returns how many events are done (0: not started; only its first value above 0 is used) and whether
         * the drain is complete (1) or not (0).
         */
        long[] read(Connection c) throws SQLException;
    }

    static Drain await(String jdbcUrl, String user, String password, long total, Duration timeout, Check check,
                       Process contender, CpuMeter meter) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long first = -1;
        long atFirst = 0;
        long[] cpuAtFirst = null;
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            // This connection's backend serves the benchmark, not the contender: its CPU is not the contender's.
            CpuMeter cpu = meter.excluding(backendPid(c));
            while (System.nanoTime() < deadline) {
                long[] state = check.read(c);
                long now = System.nanoTime();
                if (first < 0 && state[0] > 0) {
                    first = now;
                    atFirst = Math.min(state[0], total);
                    cpuAtFirst = cpu.nanos(contender);
                }
                if (state[1] == 1) {
                    long[] cpuAtDone = cpu.nanos(contender);
                    boolean known = cpuAtFirst != null && cpuAtDone != null;
                    return new Drain(first < 0 ? now : first, now, total, first < 0 ? total : atFirst,
                            known ? cpuAtDone[0] - cpuAtFirst[0] : -1, known ? cpuAtDone[1] - cpuAtFirst[1] : -1,
                            known ? cpuAtDone[2] - cpuAtFirst[2] : -1);
                }
                if (contender != null && !contender.isAlive()) {
                    throw new IllegalStateException("the contender process exited with " + contender.exitValue());
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("not drained within " + timeout.toSeconds() + " s");
    }

    static long backendPid(Connection c) throws SQLException {
        return single(c, "SELECT pg_backend_pid(), 0")[0];
    }

    static long[] single(Connection c, String sql) throws SQLException {
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
