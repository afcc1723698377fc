package dev.agentfactory.store.replica;

import java.util.List;

/** What {@link DatabaseComparator} found: one entry per table whose rows differ, readable as a report. */
public record ComparisonReport(List<TableDigest> left, List<Difference> differences) {

    /** One table that differs, with a few of the keys whose rows differ and on which side they are. */
    public record Difference(String table, String summary, List<String> samples) {

        @Override
        public String toString() {
            return table + ": " + summary + (samples.isEmpty() ? "" : "\n    " + String.join("\n    ", samples));
        }
    }

    public boolean matches() {
        return differences.isEmpty();
    }

    @Override
    public String toString() {
        if (matches()) {
            return "no differences in " + left.size() + " tables ("
                    + left.stream().mapToLong(TableDigest::rows).sum() + " rows)";
        }
        StringBuilder b = new StringBuilder(differences.size() + " table(s) differ:");
        differences.forEach(d -> b.append("\n  ").append(d));
        return b.toString();
    }
}
