package dev.agentfactory.relay.verify;

import java.util.List;
import java.util.stream.Collectors;

/** What the consistency checker found: empty when every target matches the primary. */
public record ConsistencyReport(List<Difference> differences) {

    /** One mismatch: target (standby, redis, audit), table or entity, and what differs. */
    public record Difference(String target, String table, String detail) {
        @Override
        public String toString() {
            return target + " " + table + ": " + detail;
        }
    }

    public boolean matches() {
        return differences.isEmpty();
    }

    @Override
    public String toString() {
        return matches() ? "all targets match the primary"
                : differences.size() + " difference(s):\n  " + differences.stream().limit(50)
                        .map(Difference::toString).collect(Collectors.joining("\n  "));
    }
}
