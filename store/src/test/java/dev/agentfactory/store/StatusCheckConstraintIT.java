package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.jdbc.core.simple.JdbcClient;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteCommand;
import dev.agentfactory.contracts.WriteCommand.AgentCreate;
import dev.agentfactory.contracts.WriteCommand.PrdCreate;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.agent.AgentStatus;
import dev.agentfactory.store.prd.PrdStatus;

/**
 * Lists of any status are a union of one branch per status the Java enums name, so a status the CHECK
 * constraint allows but an enum lacks would vanish from lists (and one the enum has but the table refuses
 * could never be written). Compares both sides on the fully migrated schema, and checks that the write
 * contract's payload validation (contracts' own copy of the lists) takes every status the tables allow.
 */
@ExtendWith(LocalStackExtension.class)
class StatusCheckConstraintIT {

    static final String DATABASE = "it_store_status_check";
    private static final Pattern QUOTED = Pattern.compile("'((?:[^']|'')*)'");
    private static MigratedDatabase database;
    private static JdbcClient jdbc;

    @BeforeAll
    static void migratedDatabase(StackEndpoints endpoints, LocalStack stack) {
        database = MigratedDatabase.create(stack, endpoints, DATABASE, 1);
        jdbc = JdbcClient.create(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void agentStatusNamesExactlyTheStatusesTheAgentsTableAllows() {
        assertThat(Arrays.stream(AgentStatus.values()).map(AgentStatus::dbValue))
                .containsExactlyInAnyOrderElementsOf(allowedStatuses("agents"));
    }

    @Test
    void prdStatusNamesExactlyTheStatusesThePrdsTableAllows() {
        assertThat(Arrays.stream(PrdStatus.values()).map(PrdStatus::dbValue))
                .containsExactlyInAnyOrderElementsOf(allowedStatuses("prds"));
    }

    @Test
    void theWriteContractTakesEveryStatusTheTablesAllowAndNoOther() {
        WriteCodec codec = new WriteCodec();
        for (String status : allowedStatuses("agents")) {
            assertThatCode(() -> roundTrip(codec, new AgentCreate("a", "A", "k", status, null, null, null)))
                    .as("agent status %s", status).doesNotThrowAnyException();
        }
        for (String status : allowedStatuses("prds")) {
            assertThatCode(() -> roundTrip(codec, new PrdCreate("p", "P", "", status, null, null)))
                    .as("prd status %s", status).doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> roundTrip(codec, new AgentCreate("a", "A", "k", "draft", null, null, null)))
                .isInstanceOf(InvalidWriteException.class);
        assertThatThrownBy(() -> roundTrip(codec, new PrdCreate("p", "P", "", "active", null, null)))
                .isInstanceOf(InvalidWriteException.class);
    }

    private static void roundTrip(WriteCodec codec, WriteCommand command) {
        codec.decode(codec.encode(new WriteEnvelope(UUID.randomUUID(), UUID.randomUUID(), null, "it", Instant.now(),
                WriteEnvelope.SCHEMA_VERSION, command)));
    }

    /** The quoted values of the one CHECK constraint on {@code factory.<table>.status}. */
    private static List<String> allowedStatuses(String table) {
        List<String> definitions = jdbc.sql("""
                        SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                        WHERE c.conrelid = to_regclass('factory.' || :table) AND c.contype = 'c' AND a.attname = 'status'""")
                .param("table", table).query(String.class).list();
        assertThat(definitions).as("CHECK constraints on factory.%s.status", table).hasSize(1);
        // pg_get_constraintdef prints IN (...) as: CHECK ((status = ANY (ARRAY['active'::text, ...])))
        assertThat(definitions.get(0)).as("a list of literals").matches("CHECK \\(\\(status = ANY \\(ARRAY\\[.*\\]\\)\\)\\)");
        Matcher quoted = QUOTED.matcher(definitions.get(0));
        return quoted.results().map(m -> m.group(1).replace("''", "'")).toList();
    }
}
