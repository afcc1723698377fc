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
     * @param subject what the JSON is, for the reason ("agent 7d1e…")
     * @return the reason to refuse the write that produced {@code json}, or null when it fits
     */
    String refusal(String subject, String json) {
        // UTF-8 takes one to three bytes per UTF-16 char (a surrogate pair four for two), so most texts are
        // decided by their length alone, without a pass over their characters.
        if ((long) json.length() * 3 <= maxBytes) {
            return null;
        }
        long bytes = utf8Length(json);
        return bytes <= maxBytes ? null : subject + " would be " + bytes + " bytes as JSON after this write, over the "
                + "limit of " + maxBytes + " bytes (factory.ingest.max-entity-bytes)";
    }

    /** The UTF-8 length of {@code s}; the codec refuses unpaired surrogates, so each surrogate char is half of four. */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
