package dev.agentfactory.stack;

/**
 * How to reach a running local stack: what tests, benchmarks and {@code bin/run} hand to the apps.
 * The PostgreSQL credentials are the clusters' superuser; apps connect with the least-privilege
 * roles that the migrations create.
 */
public record StackEndpoints(
        String kafkaBootstrap,
        String primaryJdbcUrl,
        String standbyJdbcUrl,
        String redisUrl,
        String superuser,
        String superuserPassword,
        int primaryPort,
        int standbyPort) {

    static StackEndpoints of(StackSettings s) {
        return new StackEndpoints(
                s.kafkaBootstrap(),
                s.jdbcUrl(s.primaryPort(), s.database()),
                s.jdbcUrl(s.standbyPort(), s.database()),
                "redis://127.0.0.1:" + s.redisPort(),
                s.superuser(),
                s.superuserPassword(),
                s.primaryPort(),
                s.standbyPort());
    }

    /** The JDBC URL of another database on the primary cluster (for tests that need isolation). */
    public String primaryJdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + primaryPort + "/" + database;
    }

    /** The JDBC URL of another database on the standby cluster. */
    public String standbyJdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + standbyPort + "/" + database;
    }
}
