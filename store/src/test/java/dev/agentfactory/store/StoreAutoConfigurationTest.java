package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.agentfactory.store.agent.AgentRepository;
import dev.agentfactory.store.agent.InMemoryAgentRepository;
import dev.agentfactory.store.agent.JdbcAgentRepository;
import dev.agentfactory.store.prd.PrdRepository;

class StoreAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StoreAutoConfiguration.class));

    @Test
    void postgresIsTheDefaultWhenTheAppHasADataSource() {
        runner.withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/none"))
                .run(ctx -> {
                    assertThat(ctx).hasSingleBean(Store.class);
                    assertThat(ctx.getBean(AgentRepository.class)).isInstanceOf(JdbcAgentRepository.class);
                    assertThat(ctx).hasSingleBean(PrdRepository.class);
                });
    }

    @Test
    void memorySelectsTheCompatibilityStoreWithoutAnyDatabase() {
        runner.withPropertyValues("factory.store=memory").run(ctx -> {
            assertThat(ctx.getBean(AgentRepository.class)).isInstanceOf(InMemoryAgentRepository.class);
            assertThat(ctx.getBean(StoreProperties.class).store()).isEqualTo(StoreProperties.Kind.MEMORY);
        });
    }

    @Test
    void retryBoundsBindFromProperties() {
        runner.withPropertyValues("factory.store=memory", "factory.store-retry.max-attempts=7",
                "factory.store-retry.initial-backoff=5ms").run(ctx -> {
                    var retry = ctx.getBean(StoreProperties.class).storeRetry();
                    assertThat(retry.maxAttempts()).isEqualTo(7);
                    assertThat(retry.initialBackoff()).hasMillis(5);
                    assertThat(retry.maxBackoff()).hasSeconds(1);
                    assertThat(retry.maxElapsed()).as("no time bound unless configured").isNull();
                });
        runner.withPropertyValues("factory.store=memory", "factory.store-retry.max-elapsed=20s").run(ctx ->
                assertThat(ctx.getBean(StoreProperties.class).storeRetry().maxElapsed()).hasSeconds(20));
    }

    @Test
    void postgresWithoutADataSourceDefinesNoRepositories() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(AgentRepository.class));
    }

    @Test
    void anUnknownStoreKindFailsTheStartup() {
        runner.withPropertyValues("factory.store=redis").run(ctx -> assertThat(ctx).hasFailed());
    }
}
