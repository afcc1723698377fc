package dev.agentfactory.bench.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The benchmark's writes, one list shared by the three contenders so they store the same rows: agent
 * creates, and a share of updates to agents created earlier (each bumping that agent's version).
 */
final class Workload {

    /** One write as a row: the agent's state after it, and whether it created the agent. */
    record Row(UUID id, String slug, String name, String kind, String status, String configJson, long version,
               boolean create) {
    }

    private final List<Row> rows;
    private final int distinctIds;

    private Workload(List<Row> rows, int distinctIds) {
        this.rows = rows;
        this.distinctIds = distinctIds;
    }

    static Workload generate(int events, double updateShare, long seed) {
        Random random = new Random(seed);
        List<Row> rows = new ArrayList<>(events);
        List<Row> latest = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            if (!latest.isEmpty() && random.nextDouble() < updateShare) {
                int pick = random.nextInt(latest.size());
                Row before = latest.get(pick);
                Row next = new Row(before.id(), before.slug(), "agent " + i, before.kind(), before.status(),
                        config(random, i), before.version() + 1, false);
                latest.set(pick, next);
                rows.add(next);
            } else {
                UUID id = new UUID(seed ^ 0x5eedL, i);
                Row created = new Row(id, "agent-" + Long.toHexString(seed) + "-" + i, "agent " + i, "llm",
                        "active", config(random, i), 1, true);
                latest.add(created);
                rows.add(created);
            }
        }
        return new Workload(rows, latest.size());
    }

    private static String config(Random random, int i) {
        return "{\"model\":\"m" + random.nextInt(8) + "\",\"temperature\":" + (random.nextInt(10) / 10.0)
                + ",\"step\":" + i + "}";
    }

    List<Row> rows() {
        return rows;
    }

    int distinctIds() {
        return distinctIds;
    }

    /** The sum of the final versions of all agents: what a table holds once every write is applied. */
    long finalVersionSum() {
        java.util.Map<UUID, Long> last = new java.util.HashMap<>();
        rows.forEach(r -> last.put(r.id(), r.version()));
        return last.values().stream().mapToLong(Long::longValue).sum();
    }
}
