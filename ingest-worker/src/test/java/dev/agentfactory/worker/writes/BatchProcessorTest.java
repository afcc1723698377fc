package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.InvalidWriteException;

class BatchProcessorTest {

    private final List<Integer> committedSizes = new ArrayList<>();

    @Test
    void aSplitBatchReportsEachHalfAsItCommitsEvenWhenALaterHalfFailsTransiently() {
        List<Item> batch = items(4);
        BatchProcessor processor = new BatchProcessor((items, poll, rejects, dlq) -> {
            if (items.size() == 4) {
                throw failure("23505");                  // a data error somewhere: split
            }
            if (items.get(0) == batch.get(2)) {
                throw failure("08006");                  // the second half: the connection is lost
            }
            return new BatchResult(List.of(), items.size(), List.of(), items.size());
        });

        assertThatThrownBy(() -> processor.process(batch, records -> { }, (r, nanos) -> committedSizes.add(r.consumed())))
                .isInstanceOf(BatchSqlException.class);
        assertThat(committedSizes).as("the first half committed, and is reported once").containsExactly(2);
    }

    @Test
    void eachHalfOfASplitBatchIsReportedOnceAndTheMergedResultHoldsThemAll() {
        List<Item> batch = items(2);
        BatchProcessor processor = new BatchProcessor((items, poll, rejects, dlq) -> {
            if (items.size() == 2) {
                throw failure("22P05");
            }
            return new BatchResult(List.of(), items.size(), List.of(), items.size());
        });

        BatchResult merged = processor.process(batch, records -> { }, (r, nanos) -> committedSizes.add(r.consumed()));

        assertThat(committedSizes).containsExactly(1, 1);
        assertThat(merged.consumed()).isEqualTo(2);
    }

    private static BatchSqlException failure(String sqlState) {
        return new BatchSqlException(new SQLException("refused", sqlState));
    }

    /** Invalid records: what the stand-in transaction makes of them does not matter here. */
    private static List<Item> items(int n) {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(new Item(new ConsumerRecord<>("writes", 0, i, null, null), null,
                    new InvalidWriteException(InvalidWriteException.Reason.MALFORMED_JSON, "invalid")));
        }
        return items;
    }
}
