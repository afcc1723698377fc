package dev.agentfactory.worker;

import org.postgresql.ds.PGSimpleDataSource;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.migrations.Migrations;
import dev.agentfactory.stack.LocalStack;
import dev.agentfactory.stack.StackEndpoints;

/**
 * A database of the shared primary, created fresh and migrated, reached as the superuser without a pool: what the
 * worker's ITs that drive its parts directly (not a worker process) start from. Closing it drops the database.
 */
public final class MigratedDatabase implements AutoCloseable {

    private final LocalStack stack;
    private final String name;
    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();

    public MigratedDatabase(LocalStack stack, StackEndpoints endpoints, String name) {
        this.stack = stack;
        this.name = name;
        stack.primary().createDatabase(name);
        String url = endpoints.primaryJdbcUrl(name);
        new Migrations(MigrationSettings.fromEnvironment(System.getenv()).withUrl(url)).migrate();
        dataSource.setUrl(url);
        dataSource.setUser(endpoints.superuser());
        dataSource.setPassword(endpoints.superuserPassword());
    }

    public PGSimpleDataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        stack.primary().dropDatabase(name);
    }
}
