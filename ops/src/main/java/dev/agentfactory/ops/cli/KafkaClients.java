package dev.agentfactory.ops.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How ops reaches Kafka: the bootstrap servers and the client security settings, read from the variables the
 * services take theirs from ({@code deploy/cloudrun/*.yaml}): {@code SPRING_KAFKA_SECURITY_PROTOCOL}, and each
 * {@code SPRING_KAFKA_PROPERTIES_<NAME>} as the client property {@code <name>} (lower case, {@code _} as
 * {@code .}), the way Spring Boot binds them. An ops job given the services' Kafka secrets thus reaches the same
 * SASL_SSL cluster; every Kafka client ops creates starts from these settings.
 */
public record KafkaClients(String bootstrap, Map<String, String> security) {

    static final String PROTOCOL_VARIABLE = "SPRING_KAFKA_SECURITY_PROTOCOL";
    static final String PROPERTY_PREFIX = "SPRING_KAFKA_PROPERTIES_";

    public KafkaClients {
        security = Map.copyOf(security);
    }

    /** The settings in {@code env}; a blank variable counts as unset (a secret that failed to mount). */
    public static KafkaClients fromEnvironment(Map<String, String> env, String bootstrap) {
        Map<String, String> security = new TreeMap<>();
        env.forEach((name, value) -> {
            if (value == null || value.isBlank()) {
                return;
            }
            if (name.equals(PROTOCOL_VARIABLE)) {
                security.put("security.protocol", value);
            } else if (name.startsWith(PROPERTY_PREFIX) && name.length() > PROPERTY_PREFIX.length()) {
                security.put(name.substring(PROPERTY_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
                        value);
            }
        });
        return new KafkaClients(bootstrap, security);
    }

    /** A client's configuration: the bootstrap servers and security settings, then the client's own settings. */
    public Properties config(Map<String, ?> own) {
        Properties p = new Properties();
        p.putAll(security);
        p.put("bootstrap.servers", bootstrap);
        p.putAll(own);
        return p;
    }

    /** Names the settings, never their values: a JAAS configuration holds the cluster's password. */
    @Override
    public String toString() {
        return "KafkaClients[bootstrap=" + bootstrap + ", security="
                + security.keySet().stream().collect(Collectors.joining(", ", "[", "]")) + "]";
    }
}
