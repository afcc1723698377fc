package dev.agentfactory.ops.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Keeps at most {@code keep} complete backups and none older than {@code maxAge}, but never deletes the
 * newest complete backup. Directories without a manifest in which nothing was written for an hour are failed
 * backups and go too.
 */
final class Retention {

    static final String PREFIX = "backup-";

    private Retention() {
    }

    /** Returns the directories it deleted. */
    static List<Path> apply(Path root, int keep, Duration maxAge, Instant now) throws IOException {
        List<Path> complete = new ArrayList<>();
        List<Path> deleted = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p))
                    .toList()) {
                if (Files.isRegularFile(d.resolve(Manifest.FILE))) {
                    complete.add(d);
                } else if (lastWrite(d).isBefore(now.minus(Duration.ofHours(1)))) {
                    delete(d);
                    deleted.add(d);
                }
            }
        }
        // names sort by creation time (backup-yyyyMMdd'T'HHmmssSSS'Z'); newest first
        complete.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        for (int i = 1; i < complete.size(); i++) {
            Path d = complete.get(i);
            Instant created = Manifest.read(d).createdAt();
            if (i >= keep || created.isBefore(now.minus(maxAge))) {
                delete(d);
                deleted.add(d);
            }
        }
        return deleted;
    }

    /**
     * When anything in the directory was last written: a backup copying one large table adds no entry for a long
     * time, so the directory's own time says nothing about whether it still runs.
     */
    private static Instant lastWrite(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            Instant last = Instant.MIN;
            for (Path p : walk.toList()) {
                Instant t = Files.getLastModifiedTime(p).toInstant();
                last = t.isAfter(last) ? t : last;
            }
            return last;
        }
    }

    static void delete(Path dir) throws IOException {
        // The manifest first: an interrupted deletion then leaves a failed backup, not one that looks complete.
        Files.deleteIfExists(dir.resolve(Manifest.FILE));
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
