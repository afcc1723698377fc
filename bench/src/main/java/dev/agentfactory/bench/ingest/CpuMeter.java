package dev.agentfactory.bench.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The CPU a contender spends: its process tree plus the PostgreSQL backends serving the benchmark's
 * database (found by their process titles in /proc). Unlike a rate, CPU per event barely moves when
 * something else shares the machine, so it compares contenders on a noisy box. It also tells apart the
 * part of the process time its JIT compiler threads took: both contenders start cold, and in a drain of
 * seconds compiling is a large share of either JVM's time. The benchmark's own backends of that database (its
 * progress poll) are left out with {@link #excluding}. Linux only; elsewhere {@link #nanos} returns null
 * and the figures are left out.
 */
final class CpuMeter {

    private final String databaseTitle;
    private final Set<Long> excluded;

    CpuMeter(String database) {
        this(" " + database + " ", Set.of());
    }

    private CpuMeter(String databaseTitle, Set<Long> excluded) {
        this.databaseTitle = databaseTitle;
        this.excluded = excluded;
    }

    /** The same meter, leaving out the backend with process id {@code pid} (one of the benchmark's own). */
    CpuMeter excluding(long pid) {
        Set<Long> more = new HashSet<>(excluded);
        more.add(pid);
        return new CpuMeter(databaseTitle, Set.copyOf(more));
    }

    /**
     * @return {contender's process tree, database backends, the tree's JIT compiler threads} in CPU
     *         nanoseconds, or null where unknown
     */
    long[] nanos(Process contender) {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return null;
        }
        long process = 0;
        long jit = 0;
        for (ProcessHandle p : Stream.concat(Stream.of(contender.toHandle()), contender.descendants()).toList()) {
            long cpu = cpu(p);
            process += cpu;
            jit += compilerCpu(p, cpu);
        }
        try (Stream<Path> pids = Files.list(proc)) {
            return new long[] {process, pids.filter(this::isContendersBackend)
                    .mapToLong(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString())).map(CpuMeter::cpu)
                            .orElse(0L))
                    .sum(), jit};
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The CPU of a JVM's C1 and C2 compiler threads ({@code /proc/<pid>/task/<tid>/comm} "C1 CompilerThre…"),
     * as their share of the process's clock ticks applied to its CPU time {@code cpu}; 0 for a process without them.
     */
    static long compilerCpu(ProcessHandle p, long cpu) {
        Path task = Path.of("/proc", Long.toString(p.pid()), "task");
        try (Stream<Path> threads = Files.list(task)) {
            long compiler = threads.filter(t -> comm(t).matches("C[12] CompilerThre.*")).mapToLong(CpuMeter::ticks).sum();
            long all = ticks(task.getParent());
            return all <= 0 ? 0 : Math.round((double) cpu * compiler / all);
        } catch (IOException | UncheckedIOException e) {
            return 0;   // exited meanwhile
        }
    }

    private static String comm(Path thread) {
        try {
            return Files.readString(thread.resolve("comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** utime + stime of a process or thread from its stat line (fields 14 and 15, after the parenthesised name). */
    static long ticks(Path dir) {
        try {
            String stat = Files.readString(dir.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A backend of the benchmark's database (by its process title) that is not one of the benchmark's own. */
    boolean isContendersBackend(Path pid) {
        String name = pid.getFileName().toString();
        if (name.isEmpty() || !name.chars().allMatch(Character::isDigit) || excluded.contains(Long.parseLong(name))) {
            return false;
        }
        try {
            String title = new String(Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8);
            return title.startsWith("postgres: ") && title.contains(databaseTitle);
        } catch (IOException | SecurityException e) {
            return false;    // exited meanwhile, or not ours to read
        }
    }

    /** A process's CPU so far in nanoseconds, 0 where unknown (exited, or not readable). */
    static long cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
