package dev.agentfactory.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuMeterTest {

    @Test
    void ticksAreUserPlusSystemTimeEvenWhenTheThreadNameHoldsSpacesAndParentheses(@TempDir Path dir)
            throws IOException {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        Files.writeString(dir.resolve("stat"), "4242 (C2 (x) Thre) S 1 4242 4242 0 -1 4194368 10 0 0 0 1234 56 0 0 20 0");
        assertThat(CpuMeter.ticks(dir)).isEqualTo(1290);
    }

    @Test
    void theBenchmarksOwnBackendsAreNotTheContenders(@TempDir Path proc) throws IOException {
        for (String pid : new String[] {"100", "200", "300"}) {
            Files.createDirectories(proc.resolve(pid));
        }
        Files.writeString(proc.resolve("100/cmdline"), "postgres: factory bench_ingest 127.0.0.1(40000) idle");
        Files.writeString(proc.resolve("200/cmdline"), "postgres: factory bench_ingest 127.0.0.1(40002) COPY");
        Files.writeString(proc.resolve("300/cmdline"), "postgres: factory other_db 127.0.0.1(40004) idle");
        CpuMeter meter = new CpuMeter("bench_ingest");
        assertThat(meter.isContendersBackend(proc.resolve("100"))).isTrue();
        CpuMeter polled = meter.excluding(100);
        assertThat(polled.isContendersBackend(proc.resolve("100"))).as("the progress poll's backend").isFalse();
        assertThat(polled.isContendersBackend(proc.resolve("200"))).isTrue();
        assertThat(polled.isContendersBackend(proc.resolve("300"))).isFalse();
    }

    @Test
    void theCompilerThreadsOfThisJvmHaveSpentPartOfItsTime() {
        ProcessHandle self = ProcessHandle.current();
        long cpu = self.info().totalCpuDuration().orElseThrow().toNanos();
        if (Files.isDirectory(Path.of("/proc", Long.toString(self.pid()), "task"))) {
            assertThat(CpuMeter.compilerCpu(self, cpu)).isPositive().isLessThan(cpu);
        }
    }
}
