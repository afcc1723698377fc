package dev.agentfactory.ops.dlq;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The topics dead letters may be replayed to: only those the worker reads ({@code FACTORY_INGEST_*_TOPIC}). A copy
 * sent to any other topic (one since renamed, say) does nothing: with the broker's auto-create on, the topic is made
 * and the copy counted as replayed though no worker reads it; with it off, each send waits max.block.ms (60 s) for
 * metadata before it fails. {@code --to-topic=old=new[,old=new]} sends the dead letters of a former write topic to
 * the one that replaced it.
 */
record ReplayTargets(List<String> writes, Map<String, String> renamed) {

    ReplayTargets {
        writes = List.copyOf(writes);
        renamed = Map.copyOf(renamed);
    }

    /** @param toTopic the {@code --to-topic} option's value, or null */
    static ReplayTargets of(List<String> writes, String toTopic) {
        Map<String, String> renamed = new HashMap<>();
        for (String pair : toTopic == null ? new String[0] : toTopic.split(",", -1)) {
            String[] names = pair.split("=", -1);
            if (names.length != 2 || names[0].isBlank() || names[1].isBlank()) {
                throw new IllegalArgumentException("--to-topic takes old=new pairs separated by commas, got '"
                        + toTopic + "'");
            }
            String old = names[0].trim();
            String target = names[1].trim();
            if (!writes.contains(target)) {
                throw new IllegalArgumentException("--to-topic: " + target + " is not a topic the worker reads ("
                        + String.join(", ", writes) + ")");
            }
            // a write topic's dead letters go back to it: sent to the other one, they would only return as wrong_topic
            if (writes.contains(old)) {
                throw new IllegalArgumentException("--to-topic: " + old + " is a topic the worker reads, its dead"
                        + " letters are replayed to it");
            }
            if (renamed.putIfAbsent(old, target) != null) {
                throw new IllegalArgumentException("--to-topic names " + old + " twice");
            }
        }
        return new ReplayTargets(writes, renamed);
    }

    /** Where a dead letter read from {@code original} is replayed to; null where that is no topic the worker reads. */
    String target(String original) {
        String target = renamed.getOrDefault(original, original);
        return writes.contains(target) ? target : null;
    }
}
