package dev.agentfactory.bench.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The CPU a contender spends: its process tree plus the PostgreSQL backends serving the benchmark's
 * database (found by their process titles in /proc). Unlike a rate, CPU per event barely moves when
 * something else shares the machine, so it compares contenders on a noisy box. Linux only; elsewhere
 * {@link #nanos} returns null and the figures are left out.
 */
final class CpuMeter {

    private final String databaseTitle;

    CpuMeter(String database) {
        this.databaseTitle = " " + database + " ";
    }

    /** @return {contender's process tree, database backends} in CPU nanoseconds, or null where unknown */
    long[] nanos(Process contender) {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return null;
        }
        long process = cpu(contender.toHandle()) + contender.descendants().mapToLong(CpuMeter::cpu).sum();
        try (Stream<Path> pids = Files.list(proc)) {
            return new long[] {process, pids.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(this::isBackendOfDatabase)
                    .mapToLong(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString())).map(CpuMeter::cpu)
                            .orElse(0L))
                    .sum()};
        } catch (IOException e) {
            return null;
        }
    }

    private boolean isBackendOfDatabase(Path pid) {
        try {
            String title = new String(Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8);
            return title.startsWith("postgres: ") && title.contains(databaseTitle);
        } catch (IOException | SecurityException e) {
            return false;    // exited meanwhile, or not ours to read
        }
    }

    private static long cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
