package dev.agentfactory.migrations;

import java.util.List;

/** What {@code db validate} found: nothing when the database is what the migrations define. */
public record ValidationReport(String version, List<String> checksumProblems, List<String> schemaDifferences) {

    public boolean valid() {
        return checksumProblems.isEmpty() && schemaDifferences.isEmpty();
    }
}
