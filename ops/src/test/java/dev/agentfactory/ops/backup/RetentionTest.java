package dev.agentfactory.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    private static final Instant NOW = Instant.parse("2026-06-30T00:00:00Z");

    @TempDir
    Path root;

    @Test
    void keepsTheNewestCountAndDropsOlderOnes() throws Exception {
        for (int day = 1; day <= 5; day++) {
            backup(day);
        }
        List<Path> deleted = Retention.apply(root, 3, Duration.ofDays(365), NOW);
        assertThat(deleted).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("backup-20260601T000000000Z", "backup-20260602T000000000Z");
        assertThat(Files.list(root).count()).isEqualTo(3);
    }

    @Test
    void dropsBackupsOlderThanTheMaximumAgeButNeverTheNewest() throws Exception {
        backup(1);
        backup(2);
        List<Path> deleted = Retention.apply(root, 10, Duration.ofDays(7), NOW);
        assertThat(deleted).extracting(p -> p.getFileName().toString()).containsExactly("backup-20260601T000000000Z");
        assertThat(root.resolve("backup-20260602T000000000Z")).exists();
    }

    @Test
    void removesAbandonedDirectoriesWithoutManifestOnlyWhenOld() throws Exception {
        backup(1);
        Path failed = Files.createDirectory(root.resolve("backup-20260629T000000000Z"));
        Path running = Files.createDirectory(root.resolve("backup-20260629T235959000Z"));
        Files.setLastModifiedTime(failed, FileTime.from(NOW.minus(Duration.ofHours(3))));
        Files.setLastModifiedTime(running, FileTime.from(NOW.minus(Duration.ofMinutes(5))));
        Retention.apply(root, 10, Duration.ofDays(365), NOW);
        assertThat(failed).doesNotExist();
        assertThat(running).exists();
    }

    @Test
    void aBackupStillWritingOneLargeTableIsNotTakenForAbandoned() throws Exception {
        backup(1);
        // the directory got its last entry hours ago; the table file in it is still being written
        Path running = Files.createDirectory(root.resolve("backup-20260629T000000000Z"));
        Path table = Files.writeString(running.resolve("agent_versions.copy.gz"), "...");
        Files.setLastModifiedTime(table, FileTime.from(NOW.minus(Duration.ofMinutes(1))));
        Files.setLastModifiedTime(running, FileTime.from(NOW.minus(Duration.ofHours(3))));
        Retention.apply(root, 10, Duration.ofDays(365), NOW);
        assertThat(table).exists();
    }

    private void backup(int day) throws Exception {
        Instant created = Instant.parse("2026-06-%02dT00:00:00Z".formatted(day));
        Path dir = Files.createDirectory(root.resolve("backup-202606%02dT000000000Z".formatted(day)));
        new Manifest(Manifest.FORMAT, created, "jdbc:postgresql://db/factory", "0/1", "3.1", Map.of(), List.of())
                .write(dir);
    }
}
