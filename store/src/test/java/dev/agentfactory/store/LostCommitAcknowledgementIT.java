package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.store.agent.Agent;
import dev.agentfactory.store.agent.HistoryEntry;
import dev.agentfactory.store.prd.Prd;
import dev.agentfactory.store.prd.PrdAgentLink;
import dev.agentfactory.store.prd.PrdStatus;

/**
 * A write whose transaction committed but whose connection failed before the acknowledgement came back (SQLSTATE
 * 08006) is retried by {@link TransientRetry}: the retry must not write it a second time, nor deny it happened.
 */
@ExtendWith(LocalStackExtension.class)
class LostCommitAcknowledgementIT {

    private static MigratedDatabase database;
    private static LosesNextCommitAcknowledgement dataSource;
    private static Store store;

    @BeforeAll
    static void migratedDatabase(StackEndpoints endpoints, LocalStack stack) {
        database = MigratedDatabase.create(stack, endpoints, "it_store_lost_commit_ack", 2);
        dataSource = new LosesNextCommitAcknowledgement(database);
        store = Store.jdbc(dataSource, new TransientRetry(3, Duration.ofMillis(1), Duration.ofMillis(5)));
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void aHistoryEntryIsWrittenAndAuditedOnce() {
        Agent agent = StoreContract.agent("lost-ack-history", 1, StoreContract.T0);
        store.agents().create(agent, StoreContract.change("create"));

        dataSource.loseNextAcknowledgement();
        var result = store.agents().appendHistory(agent.id(), HistoryEntry.Kind.LEARNING, Map.of("lesson", "once"),
                StoreContract.T0, StoreContract.change("history"));

        assertThat(dataSource.lost()).isTrue();
        assertThat(result.applied()).isTrue();
        assertThat(store.agents().history(agent.id(), 0, 10).items()).singleElement()
                .satisfies(h -> assertThat(h.seq()).isEqualTo(((WriteResult.Applied<HistoryEntry>) result).value().seq()));
        assertThat(auditOf("agent", agent.id())).isEqualTo(2); // create, history
    }

    @Test
    void anUnlinkIsAppliedAndAuditedOnce() {
        Agent agent = StoreContract.agent("lost-ack-unlink", 1, StoreContract.T0);
        Prd prd = StoreContract.prd("lost-ack-unlink", 1, PrdStatus.DRAFT);
        store.agents().create(agent, StoreContract.change("create"));
        store.prds().create(prd, StoreContract.change("create"));
        var link = new PrdAgentLink(prd.id(), agent.id(), "reviewer", StoreContract.T0, "ops");
        var linked = (WriteResult.Applied<PrdAgentLink>) store.prds().link(link, StoreContract.change("link"));

        dataSource.loseNextAcknowledgement();
        var result = store.prds().unlink(prd.id(), agent.id(), StoreContract.change("unlink"));

        assertThat(dataSource.lost()).isTrue();
        assertThat(result).isEqualTo(linked);
        assertThat(store.prds().links(prd.id())).isEmpty();
        assertThat(auditOf("prd", prd.id())).isEqualTo(3); // create, link, unlink
    }

    private static long auditOf(String type, UUID id) {
        return store.audit().byEntity(type, id, Instant.EPOCH, Instant.now().plusSeconds(60), null, 100).items().size();
    }

    /** Commits for real, then fails the next commit call as a connection lost before PostgreSQL's reply would. */
    private static final class LosesNextCommitAcknowledgement extends DelegatingDataSource {

        private final AtomicBoolean armed = new AtomicBoolean();
        private final AtomicBoolean lost = new AtomicBoolean();

        LosesNextCommitAcknowledgement(MigratedDatabase database) {
            super(database.dataSource());
        }

        void loseNextAcknowledgement() {
            lost.set(false);
            armed.set(true);
        }

        boolean lost() {
            return lost.get();
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection real = super.getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        Object value;
                        try {
                            value = method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("commit") && armed.getAndSet(false)) {
                            lost.set(true);
                            throw new SQLException("connection lost before the commit was acknowledged", "08006");
                        }
                        return value;
                    });
        }
    }
}
