package dev.agentfactory.store;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.agentfactory.store.agent.AgentRepository;
import dev.agentfactory.store.agent.InMemoryAgentRepository;
import dev.agentfactory.store.agent.JdbcAgentRepository;
import dev.agentfactory.store.audit.AuditRepository;
import dev.agentfactory.store.audit.InMemoryAuditRepository;
import dev.agentfactory.store.audit.JdbcAuditRepository;
import dev.agentfactory.store.prd.InMemoryPrdRepository;
import dev.agentfactory.store.prd.JdbcPrdRepository;
import dev.agentfactory.store.prd.PrdRepository;
import dev.agentfactory.store.writes.InMemoryWriteOutcomeRepository;
import dev.agentfactory.store.writes.JdbcWriteOutcomeRepository;
import dev.agentfactory.store.writes.WriteOutcomeRepository;

/** The repositories of one store, built together so they share a transaction manager or a lock. */
public record Store(AgentRepository agents, PrdRepository prds, AuditRepository audit, WriteOutcomeRepository writes) {

    /** The in-memory compatibility store ({@code factory.store=memory}). */
    public static Store inMemory() {
        Object lock = new Object();
        AuditRepository audit = new InMemoryAuditRepository(lock);
        AgentRepository agents = new InMemoryAgentRepository(lock, audit);
        return new Store(agents, new InMemoryPrdRepository(lock, audit, agents), audit,
                new InMemoryWriteOutcomeRepository());
    }

    /** The PostgreSQL store on a pooled data source (HikariCP in the apps). */
    public static Store jdbc(DataSource dataSource, PlatformTransactionManager transactions, TransientRetry retry,
                             long pageBudgetBytes) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        TransactionTemplate tx = new TransactionTemplate(transactions);
        PageReader pages = new PageReader(retry, pageBudgetBytes);
        AuditRepository audit = new JdbcAuditRepository(jdbc, pages);
        return new Store(new JdbcAgentRepository(jdbc, tx, retry, pages, audit),
                new JdbcPrdRepository(jdbc, tx, retry, pages, audit), audit, new JdbcWriteOutcomeRepository(jdbc, retry));
    }

    public static Store jdbc(DataSource dataSource, TransientRetry retry) {
        return jdbc(dataSource, new DataSourceTransactionManager(dataSource), retry, PageReader.DEFAULT_BUDGET_BYTES);
    }
}
