package dev.agentfactory.store;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

/**
 * A database of the shared primary, created fresh and migrated, with a small superuser pool: what each store
 * IT starts from. Closing it closes the pool and drops the database.
 */
public final class MigratedDatabase implements AutoCloseable {

    private final LocalStack stack;
    private final String name;
    private final HikariDataSource dataSource;

    private MigratedDatabase(LocalStack stack, String name, HikariDataSource dataSource) {
        this.stack = stack;
        this.name = name;
        this.dataSource = dataSource;
    }

    public static MigratedDatabase create(LocalStack stack, StackEndpoints endpoints, String name, int poolSize) {
        stack.primary().dropDatabase(name);
        stack.primary().createDatabase(name);
        String url = endpoints.primaryJdbcUrl(name);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setUsername(endpoints.superuser());
        ds.setPassword(endpoints.superuserPassword());
        ds.setMaximumPoolSize(poolSize);
        return new MigratedDatabase(stack, name, ds);
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
        stack.primary().dropDatabase(name);
    }
}
