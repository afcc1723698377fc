package dev.agentfactory.worker.writes;

/**
 * The largest an agent or PRD may be after a write ({@code factory.ingest.max-entity-bytes}), measured as its
 * version snapshot: the compact JSON text, in UTF-8 bytes, that is stored per version, served by the gateway's
 * version pages and staged in memory for every bump of a batch. Each record is bounded by max-payload-bytes, but
 * merge patches and links accumulate across writes: without this an entity's row, and each of its snapshots, grew
 * without bound, and a batch of small updates to one large entity staged more snapshot text than the worker's heap.
 * The snapshot rather than each JSON column, because it bounds all of them together and is the text the worker
 * already builds for the bump, so measuring it serializes nothing twice.
 */
final class EntitySizeLimit {

    private final int maxBytes;

    EntitySizeLimit(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("max-entity-bytes must be positive, not " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * @param what what the JSON is, for the reason ("agent", "the history entry for agent")
     * @param id   the entity's id, for the reason
     * @return the reason to refuse the write that produced {@code json}, or null when it fits
     */
    String refusal(String what, Object id, String json) {
        // UTF-8 takes one to three bytes per UTF-16 char (a surrogate pair four for two), so most texts are
        // decided by their length alone, without a pass over their characters.
        if ((long) json.length() * 3 <= maxBytes) {
            return null;
        }
        long bytes = compactUtf8Length(json);
        return bytes <= maxBytes ? null : what + " " + id + " would be " + bytes + " bytes as JSON after this write, "
                + "over the limit of " + maxBytes + " bytes (factory.ingest.max-entity-bytes)";
    }

    /**
     * The UTF-8 length of {@code json} written compactly. A column the batch loaded and the write left alone keeps
     * PostgreSQL's text of it, which puts a space after every {@code :} and {@code ,}: counting those would judge
     * the same entity larger when its row came from the database than when the batch wrote it, so whether a write
     * fits would depend on how the records fell into polls. Whitespace outside strings is not counted; the codec
     * refuses unpaired surrogates, so each surrogate char is half of four bytes.
     */
    static long compactUtf8Length(String json) {
        long bytes = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    bytes++;
                    c = json.charAt(++i);
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                continue;
            } else if (c == '"') {
                inString = true;
            }
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
