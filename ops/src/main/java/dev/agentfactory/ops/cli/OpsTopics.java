package dev.agentfactory.ops.cli;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.agentfactory.contracts.Topics;

/**
 * The topics ops reads and writes, named by the variables the services take theirs from: the worker's write,
 * result and DLQ topics ({@code FACTORY_INGEST_*_TOPIC}, then the gateway's former {@code FACTORY_AGENT_WRITES_TOPIC},
 * {@code FACTORY_PRD_WRITES_TOPIC} and {@code FACTORY_WRITE_RESULTS_TOPIC}, as both services fall back to) and the
 * relay's audit topics ({@code FACTORY_CDC_*_AUDIT_TOPIC}), so one environment serves the services and ops alike.
 */
public record OpsTopics(String agentWrites, String prdWrites, String writeResults, String writesDlq,
                        String agentsAudit, String prdsAudit) {

    static OpsTopics fromEnvironment(Map<String, String> env) {
        return new OpsTopics(
                value(env, "FACTORY_INGEST_AGENT_TOPIC", value(env, "FACTORY_AGENT_WRITES_TOPIC", Topics.AGENT_WRITES)),
                value(env, "FACTORY_INGEST_PRD_TOPIC", value(env, "FACTORY_PRD_WRITES_TOPIC", Topics.PRD_WRITES)),
                value(env, "FACTORY_INGEST_RESULTS_TOPIC",
                        value(env, "FACTORY_WRITE_RESULTS_TOPIC", Topics.WRITE_RESULTS)),
                value(env, "FACTORY_INGEST_DLQ_TOPIC", Topics.WRITES_DLQ),
                value(env, "FACTORY_CDC_AGENTS_AUDIT_TOPIC", Topics.AUDIT_AGENTS),
                value(env, "FACTORY_CDC_PRDS_AUDIT_TOPIC", Topics.AUDIT_PRDS));
    }

    /** The write topics, once each (a deployment may send both kinds to one topic). */
    public List<String> writes() {
        return Stream.of(agentWrites, prdWrites).distinct().toList();
    }

    /** The relay's audit topics, agents first. */
    public List<String> audit() {
        return List.of(agentsAudit, prdsAudit);
    }

    /** These topics with other audit topics (a benchmark's or a test's own). */
    public OpsTopics withAudit(String agents, String prds) {
        return new OpsTopics(agentWrites, prdWrites, writeResults, writesDlq, agents, prds);
    }

    // A blank variable counts as unset, as it does for the Kafka settings: a secret or value that failed to mount.
    private static String value(Map<String, String> env, String variable, String fallback) {
        String v = env.get(variable);
        return v == null || v.isBlank() ? fallback : v;
    }
}
