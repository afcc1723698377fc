package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.agentfactory.contracts.InvalidWriteException;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.worker.MigratedDatabase;

/**
 * Dead letters are sent inside the batch's transaction and may wait for their acknowledgements longer than the
 * session's {@code idle_in_transaction_session_timeout} ({@code factory_writer}'s is 60 s, the acks' wait up to 125 s
 * a round). The server used to end the session under the wait: the batch failed, and its retry sent the delivered
 * dead letters again. Here the session's limit is 1 s and the dead letters take 2.5 s.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLetterWaitIT {

    private static final String TOPIC = "it.dead-letter-wait";
    private static final Duration ACKS_TAKE = Duration.ofMillis(2_500);

    private MigratedDatabase database;
    private PGSimpleDataSource dataSource;

    @BeforeAll
    void database(StackEndpoints endpoints, LocalStack stack) {
        database = new MigratedDatabase(stack, endpoints, "it_worker_dlq_wait_" + Long.toString(System.currentTimeMillis(), 36));
        dataSource = database.dataSource();
        dataSource.setOptions("-c idle_in_transaction_session_timeout=1000");
    }

    @AfterAll
    void dropDatabase() {
        database.close();
    }

    @Test
    void aBatchWhoseDeadLettersWaitLongerThanTheSessionsIdleLimitCommits() throws Exception {
        BatchResult result = handler("waits").apply(List.of(invalidAt(0, 41)), List.of(), Map.of(), slowSink(Duration.ofSeconds(5)));

        assertThat(result.deadLettered()).isEqualTo(1);
        assertThat(storedOffset("waits", 0)).isEqualTo(42);
    }

    @Test
    void aProducerToldToWaitForEverGetsTheLongestAllowanceTheSettingTakes() throws Exception {
        // max.block.ms at its maximum, three rounds: far past what idle_in_transaction_session_timeout holds
        Duration forever = Duration.ofMillis(Long.MAX_VALUE).multipliedBy(3);
        BatchResult result = handler("forever").apply(List.of(invalidAt(2, 5)), List.of(), Map.of(), slowSink(forever));

        assertThat(result.deadLettered()).isEqualTo(1);
        assertThat(storedOffset("forever", 2)).isEqualTo(6);
    }

    @Test
    void withoutTheAllowanceTheServerEndsTheSessionUnderTheWait() throws Exception {
        // the test's own check that the wait above outlasts the session's limit
        assertThatThrownBy(() -> handler("no-allowance").apply(List.of(invalidAt(1, 7)), List.of(), Map.of(),
                slowSink(Duration.ZERO))).isInstanceOf(RuntimeException.class);
        assertThat(storedOffset("no-allowance", 1)).isEqualTo(-1);
    }

    private BatchHandler handler(String group) {
        return new BatchHandler(dataSource, new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                new OffsetStore(group), Clock.systemUTC(), 1_200_000, 100_000_000);
    }

    private static Item invalidAt(int partition, long offset) {
        return new Item(new ConsumerRecord<>(TOPIC, partition, offset, null, "{".getBytes(StandardCharsets.UTF_8)), null,
                new InvalidWriteException(InvalidWriteException.Reason.MALFORMED_JSON, "not JSON"));
    }

    /** Acknowledged after {@link #ACKS_TAKE}; says it may wait up to {@code longest}. */
    private static DeadLetterSink slowSink(Duration longest) {
        return new DeadLetterSink() {
            @Override
            public void publish(List<Item> invalid) {
                try {
                    Thread.sleep(ACKS_TAKE.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public Duration longestWait() {
                return longest;
            }
        };
    }

    private long storedOffset(String group, int partition) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT next_offset FROM factory.ingest_offsets WHERE consumer_group = '"
                     + group + "' AND topic = '" + TOPIC + "' AND partition = " + partition)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }
}
