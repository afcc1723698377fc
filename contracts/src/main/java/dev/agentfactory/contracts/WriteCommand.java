package dev.agentfactory.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import tools.jackson.databind.node.ObjectNode;

/**
 * The payload of a write, one record per command type. Records are validated by {@link WriteCodec}
 * on the way in; the constructors only guard against nulls so a Java producer fails fast.
 */
public sealed interface WriteCommand {

    CommandType type();

    /** A new agent. {@code status} defaults to {@code active}; the JSON objects default to {@code {}}. */
    record AgentCreate(String slug, String name, String kind, String status, ObjectNode config, ObjectNode state,
                       ObjectNode metadata) implements WriteCommand {
        public AgentCreate {
            Objects.requireNonNull(slug, "slug");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
        }

        public CommandType type() {
            return CommandType.AGENT_CREATE;
        }
    }

    /** A JSON merge patch (RFC 7396) over {@code name}, {@code status}, {@code config} and {@code metadata}. */
    record AgentUpdate(ObjectNode patch) implements WriteCommand {
        public AgentUpdate {
            Objects.requireNonNull(patch, "patch");
        }

        public CommandType type() {
            return CommandType.AGENT_UPDATE;
        }
    }

    /** Replaces the agent's current state object. */
    record AgentStatePut(ObjectNode state) implements WriteCommand {
        public AgentStatePut {
            Objects.requireNonNull(state, "state");
        }

        public CommandType type() {
            return CommandType.AGENT_STATE_PUT;
        }
    }

    /** Appends a learning or performance entry; does not bump the agent's version. */
    record AgentHistoryAppend(String kind, ObjectNode entry, Instant recordedAt) implements WriteCommand {
        public AgentHistoryAppend {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(entry, "entry");
        }

        public CommandType type() {
            return CommandType.AGENT_HISTORY_APPEND;
        }
    }

    /** Soft-deletes the agent; later writes to it answer CONFLICT. */
    record AgentDelete() implements WriteCommand {
        public CommandType type() {
            return CommandType.AGENT_DELETE;
        }
    }

    /** A new PRD. {@code status} defaults to {@code draft}, {@code body} to the empty string. */
    record PrdCreate(String slug, String title, String body, String status, ObjectNode metadata, String owner)
            implements WriteCommand {
        public PrdCreate {
            Objects.requireNonNull(slug, "slug");
            Objects.requireNonNull(title, "title");
        }

        public CommandType type() {
            return CommandType.PRD_CREATE;
        }
    }

    /** A JSON merge patch over {@code title}, {@code body}, {@code status}, {@code metadata} and {@code owner}. */
    record PrdUpdate(ObjectNode patch) implements WriteCommand {
        public PrdUpdate {
            Objects.requireNonNull(patch, "patch");
        }

        public CommandType type() {
            return CommandType.PRD_UPDATE;
        }
    }

    /** Links an existing agent to the PRD with a role (default {@code implementer}). */
    record PrdLinkAgent(UUID agentId, String role) implements WriteCommand {
        public PrdLinkAgent {
            Objects.requireNonNull(agentId, "agentId");
        }

        public CommandType type() {
            return CommandType.PRD_LINK_AGENT;
        }
    }

    /** Removes a link; unlinking an agent that is not linked changes nothing. */
    record PrdUnlinkAgent(UUID agentId) implements WriteCommand {
        public PrdUnlinkAgent {
            Objects.requireNonNull(agentId, "agentId");
        }

        public CommandType type() {
            return CommandType.PRD_UNLINK_AGENT;
        }
    }

    /** Soft-deletes the PRD. */
    record PrdDelete() implements WriteCommand {
        public CommandType type() {
            return CommandType.PRD_DELETE;
        }
    }
}
