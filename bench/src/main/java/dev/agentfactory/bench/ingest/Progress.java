package dev.agentfactory.bench.ingest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Polls a progress query until it reaches its goal and times the drain from the first sign of progress,
 * so JVM and connector start-up are not counted for any contender.
 */
final class Progress {

    /**
     * @param first when progress was first seen (nanoTime); @param done when the goal was reached
     * @param processCpu CPU nanoseconds the contender's processes spent in between, or -1 if unknown
     * @param databaseCpu CPU nanoseconds its database backends spent in between, or -1 if unknown
     * @param jitCpu the part of processCpu its JIT compiler threads spent, or -1 if unknown
     */
    record Drain(long first, long done, long total, long processCpu, long databaseCpu, long jitCpu) {
        /** A drain that did not run: every figure of it is unknown (NaN). */
        static final Drain NONE = new Drain(0, 0, 0, -1, -1, -1);

        double perSecond() {
            return total / ((done - first) / 1e9);
        }

        /** Process and database CPU per event, in microseconds (NaN where unknown). */
        double cpuMicrosPerEvent() {
            return processCpu < 0 ? Double.NaN : (processCpu + databaseCpu) / 1e3 / total;
        }

        double databaseCpuMicrosPerEvent() {
            return databaseCpu < 0 ? Double.NaN : databaseCpu / 1e3 / total;
        }

        double jitCpuMicrosPerEvent() {
            return jitCpu < 0 ? Double.NaN : jitCpu / 1e3 / total;
        }
    }

    interface Check {
        /** Returns how far along the drain is (0: not started) and whether it is complete. */
        long[] read(Connection c) throws SQLException;
    }

    static Drain await(String jdbcUrl, String user, String password, long total, Duration timeout, Check check,
                       Process contender, CpuMeter cpu) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long first = -1;
        long[] cpuAtFirst = null;
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            while (System.nanoTime() < deadline) {
                long[] state = check.read(c);
                long now = System.nanoTime();
                if (first < 0 && state[0] > 0) {
                    first = now;
                    cpuAtFirst = cpu.nanos(contender);
                }
                if (state[1] == 1) {
                    long[] cpuAtDone = cpu.nanos(contender);
                    boolean known = cpuAtFirst != null && cpuAtDone != null;
                    return new Drain(first < 0 ? now : first, now, total, known ? cpuAtDone[0] - cpuAtFirst[0] : -1,
                            known ? cpuAtDone[1] - cpuAtFirst[1] : -1, known ? cpuAtDone[2] - cpuAtFirst[2] : -1);
                }
                if (contender != null && !contender.isAlive()) {
                    throw new IllegalStateException("the contender process exited with " + contender.exitValue());
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("not drained within " + timeout.toSeconds() + " s");
    }

    static long[] single(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
