package dev.agentfactory.contracts;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The wire names of the write commands, with the entity each one changes and the topic it travels on. */
public enum CommandType {
    AGENT_CREATE("agent.create", EntityType.AGENT),
    AGENT_UPDATE("agent.update", EntityType.AGENT),
    AGENT_STATE_PUT("agent.state.put", EntityType.AGENT),
    AGENT_HISTORY_APPEND("agent.history.append", EntityType.AGENT),
    AGENT_DELETE("agent.delete", EntityType.AGENT),
    PRD_CREATE("prd.create", EntityType.PRD),
    PRD_UPDATE("prd.update", EntityType.PRD),
    PRD_LINK_AGENT("prd.link-agent", EntityType.PRD),
    PRD_UNLINK_AGENT("prd.unlink-agent", EntityType.PRD),
    PRD_DELETE("prd.delete", EntityType.PRD);

    private static final Map<String, CommandType> BY_WIRE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(CommandType::wireName, Function.identity()));

    private final String wireName;
    private final EntityType entityType;

    CommandType(String wireName, EntityType entityType) {
        this.wireName = wireName;
        this.entityType = entityType;
    }

    public String wireName() {
        return wireName;
    }

    public EntityType entityType() {
        return entityType;
    }

    public static Optional<CommandType> fromWire(String name) {
        return Optional.ofNullable(BY_WIRE.get(name));
    }

    /** The two kinds of entity a write can change; the wire value is the lower-case name. */
    public enum EntityType {
        AGENT, PRD;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The default topic of this entity's writes. */
        public String defaultTopic() {
            return this == AGENT ? Topics.AGENT_WRITES : Topics.PRD_WRITES;
        }
    }
}
