package dev.agentfactory.ops.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.agentfactory.ops.cli.OpsException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a backup holds and the position it corresponds to, written last into the backup directory: its
 * presence marks a complete backup. {@code auditOffsets} were read before the snapshot was taken, so a
 * replay from them re-applies some changes already in the backup and never misses one.
 */
public record Manifest(int format, Instant createdAt, String source, String snapshotLsn, String schemaVersion,
                       Map<String, Map<Integer, Long>> auditOffsets, List<TableFile> tables) {

    public static final String FILE = "manifest.json";
    public static final int FORMAT = 1;

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** One table's COPY text, gzipped; sha256 of the file as written, rows and content hash as read. */
    public record TableFile(String table, String file, List<String> columns, long rows, String contentHash,
                            String sha256, long bytes) {
    }

    public void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(this));
        Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static Manifest read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new OpsException(dir + " is not a complete backup: " + FILE + " is missing");
        }
        try {
            Manifest m = JSON.readValue(file.toFile(), Manifest.class);
            if (m.format() != FORMAT) {
                throw new OpsException(file + " has format " + m.format() + "; this ops reads format " + FORMAT);
            }
            return m;
        } catch (JacksonException e) {
            throw new OpsException(file + " is not a readable manifest: " + e.getOriginalMessage());
        }
    }
}
