package dev.agentfactory.store;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;
import dev.agentfactory.stack.junit.LocalStackExtension;

/** The store contract on PostgreSQL, in a database of its own migrated once for the class. */
@ExtendWith(LocalStackExtension.class)
class JdbcStoreIT extends StoreContract {

    static final String DATABASE = "it_store_contract";
    private static HikariDataSource dataSource;
    private static Store store;

    @BeforeAll
    static void migratedDatabase(StackEndpoints endpoints, LocalStack stack) {
        stack.primary().dropDatabase(DATABASE);
        stack.primary().createDatabase(DATABASE);
        String url = endpoints.primaryJdbcUrl(DATABASE);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(url);
        dataSource.setUsername(endpoints.superuser());
        dataSource.setPassword(endpoints.superuserPassword());
        dataSource.setMaximumPoolSize(4);
        store = Store.jdbc(dataSource, new TransientRetry(3, Duration.ofMillis(10), Duration.ofMillis(100)));
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @BeforeEach
    void empty() throws Exception {
        try (var c = dataSource.getConnection(); var st = c.createStatement()) {
            st.execute("TRUNCATE factory.prd_agents, factory.prd_versions, factory.prds, factory.agent_history,"
                    + " factory.agent_versions, factory.agents, factory.audit_log, factory.processed_events");
        }
    }

    @Override
    protected Store store() {
        return store;
    }
}
