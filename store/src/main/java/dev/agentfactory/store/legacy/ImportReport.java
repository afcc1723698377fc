package dev.agentfactory.store.legacy;

import java.util.ArrayList;
import java.util.List;

/** What an import did: records written, records already present, and each bad record with its key. */
public final class ImportReport {

    private int written;
    private int unchanged;
    private final List<String> bad = new ArrayList<>();

    void written() {
        written++;
    }

    void unchanged() {
        unchanged++;
    }

    void bad(String key, String reason) {
        bad.add(key + ": " + reason);
    }

    public int writtenCount() {
        return written;
    }

    public int unchangedCount() {
        return unchanged;
    }

    public List<String> badRecords() {
        return List.copyOf(bad);
    }

    public boolean clean() {
        return bad.isEmpty();
    }

    @Override
    public String toString() {
        return "written " + written + ", unchanged " + unchanged + ", bad " + bad.size();
    }
}
