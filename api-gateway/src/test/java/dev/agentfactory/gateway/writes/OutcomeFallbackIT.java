package dev.agentfactory.gateway.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.gateway.GatewayProperties;
import dev.agentfactory.gateway.GatewayTestStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import dev.agentfactory.store.TransientRetry;
import dev.agentfactory.store.writes.JdbcWriteOutcomeRepository;

/**
 * The waiter's {@code processed_events} fallback against the real database, as when the results topic answers
 * nothing (this instance's results consumer not yet assigned, the worker's results not arriving): what it costs
 * the database with many writes waiting, and that an outcome committed later is still found.
 */
@ExtendWith(LocalStackExtension.class)
class OutcomeFallbackIT {

    static final String DB = "it_gateway_fallback";
    static final String INSERT = """
            INSERT INTO factory.processed_events (event_id, entity_type, entity_id, command_type, outcome, version)
            SELECT id, 'agent', gen_random_uuid(), 'agent.update', 'APPLIED', 2 FROM unnest(CAST(:ids AS uuid[])) id""";

    static JdbcClient owner;
    static JdbcWriteOutcomeRepository outcomes;
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final OutcomeWaiter waiter = new OutcomeWaiter(outcomes, scheduler, props(), meters);

    @BeforeAll
    static void database() {
        GatewayTestStack.freshMigratedDatabase(DB);
        StackEndpoints stack = LocalStackExtension.ensure();
        String url = stack.primaryJdbcUrl(DB);
        owner = JdbcClient.create(new DriverManagerDataSource(url, stack.superuser(), stack.superuserPassword()));
        // The gateway's own role, as in production (application.yml's local default).
        outcomes = new JdbcWriteOutcomeRepository(JdbcClient.create(new DriverManagerDataSource(url,
                "factory_reader", "factory_reader_local")), TransientRetry.defaults());
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @AfterAll
    static void drop() {
        LocalStackExtension.stack().primary().dropDatabase(DB);
    }

    @Test
    void aThousandWaitsAnsweredByTheFallbackCostAHandfulOfQueriesNotOneEach() throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ids.add(UUID.randomUUID());
        }
        commitOutcomes(ids);

        List<CompletableFuture<Optional<WriteOutcome>>> waits = new ArrayList<>();
        ids.forEach(id -> waits.add(waiter.register(id, Duration.ofSeconds(20))));

        for (int i = 0; i < ids.size(); i++) {
            assertThat(waits.get(i).get(25, TimeUnit.SECONDS)).get()
                    .satisfies(o -> assertThat(o.status()).isEqualTo(WriteOutcome.Status.APPLIED))
                    .extracting(WriteOutcome::eventId).isEqualTo(ids.get(i));
        }
        assertThat(meters.get("factory.gateway.write.outcomes").tag("source", "poll").counter().count())
                .isEqualTo(1_000);
        // Two queries of 500 ids each for the sweep that finds them (plus one more should the registrations
        // straddle two sweeps); a query per wait was 1,000.
        assertThat(meters.get("factory.gateway.write.outcome.polls").counter().count()).isLessThanOrEqualTo(4);
        Poll.until(Duration.ofSeconds(5), "no wait left pending",
                () -> meters.get("factory.gateway.write.pending").gauge().value() == 0);
    }

    @Test
    void anOutcomeCommittedAfterTheFirstLookupsIsFoundByALaterOne() throws Exception {
        UUID id = UUID.randomUUID();
        CompletableFuture<Optional<WriteOutcome>> wait = waiter.register(id, Duration.ofSeconds(20));
        Poll.until(Duration.ofSeconds(10), "two fallback lookups that found nothing",
                () -> meters.get("factory.gateway.write.outcome.polls").counter().count() >= 2);
        assertThat(wait).isNotDone();

        commitOutcomes(List.of(id));

        assertThat(wait.get(25, TimeUnit.SECONDS)).get().extracting(WriteOutcome::eventId).isEqualTo(id);
    }

    private static void commitOutcomes(List<UUID> ids) {
        owner.sql(INSERT).param("ids", ids.stream().map(UUID::toString).toArray(String[]::new)).update();
    }

    private static GatewayProperties props() {
        return new GatewayProperties(1_048_576, Duration.ofSeconds(30), 50, 200,
                new GatewayProperties.Kafka("agents", "prds", "results", "group"),
                new GatewayProperties.Cache("test", Duration.ofHours(1), Duration.ofSeconds(10), 64),
                new GatewayProperties.Writes(Duration.ofMillis(100), Duration.ofHours(24), 8, Duration.ofSeconds(10)));
    }
}
