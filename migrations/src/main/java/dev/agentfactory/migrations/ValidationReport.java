package dev.agentfactory.migrations;

import java.util.List;

/**
 * What {@code db validate} found: nothing when the database is what the migrations define at its version.
 * Pending migrations (this build's scripts not applied yet) are listed but do not make it invalid. {@code sweep}
 * says which scratch databases of earlier, killed validates this one dropped or kept.
 */
public record ValidationReport(String version, List<String> checksumProblems, List<String> schemaDifferences,
                               List<String> pending, List<String> sweep) {

    public boolean valid() {
        return checksumProblems.isEmpty() && schemaDifferences.isEmpty();
    }
}
