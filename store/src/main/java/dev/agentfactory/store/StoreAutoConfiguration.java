package dev.agentfactory.store;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import dev.agentfactory.store.agent.AgentRepository;
import dev.agentfactory.store.audit.AuditRepository;
import dev.agentfactory.store.prd.PrdRepository;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/**
 * Puts the repositories in any app that has the store on its class path: PostgreSQL through the app's
 * data source by default, or the in-memory compatibility store with {@code factory.store=memory}.
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class})
@EnableConfigurationProperties(StoreProperties.class)
public class StoreAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "factory.store", havingValue = "memory")
    static class Memory {

        @Bean
        @ConditionalOnMissingBean
        Store store() {
            return Store.inMemory();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "factory.store", havingValue = "postgres", matchIfMissing = true)
    @ConditionalOnBean(DataSource.class)
    static class Postgres {

        @Bean
        @ConditionalOnMissingBean
        Store store(DataSource dataSource, ObjectProvider<PlatformTransactionManager> transactions,
                    StoreProperties properties) {
            return Store.jdbc(dataSource, transactions.getIfAvailable(() -> new DataSourceTransactionManager(dataSource)),
                    properties.storeRetry().toRetry(), properties.storePageBudget().toBytes());
        }
    }

    @Bean
    @ConditionalOnBean(Store.class)
    AgentRepository agentRepository(Store store) {
        return store.agents();
    }

    @Bean
    @ConditionalOnBean(Store.class)
    PrdRepository prdRepository(Store store) {
        return store.prds();
    }

    @Bean
    @ConditionalOnBean(Store.class)
    AuditRepository auditRepository(Store store) {
        return store.audit();
    }

    @Bean
    @ConditionalOnBean(Store.class)
    WriteOutcomeRepository writeOutcomeRepository(Store store) {
        return store.writes();
    }
}
