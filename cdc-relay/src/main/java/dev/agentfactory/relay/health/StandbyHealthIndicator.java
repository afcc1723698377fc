package dev.agentfactory.relay.health;

import java.sql.Connection;

import javax.sql.DataSource;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Whether the standby sink's database answers, through the standby pool: DOWN when no connection can be had or the
 * one borrowed is not valid (a wrong standby password, an unreachable standby). Spring Boot's {@code db} component
 * covers the primary only: the standby pool is not a {@code DataSource} bean, which would take the place of the
 * primary's auto-configured one. UP, with {@code enabled=false}, when the relay runs without the standby sink.
 */
public class StandbyHealthIndicator extends AbstractHealthIndicator {

    private final DataSource standby;

    /** {@code standby} null: the standby sink is off. */
    public StandbyHealthIndicator(DataSource standby) {
        super("standby health check failed");
        this.standby = standby;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        if (standby == null) {
            builder.up().withDetail("enabled", false);
            return;
        }
        try (Connection connection = standby.getConnection()) {
            builder.status(connection.isValid(2) ? Status.UP : Status.DOWN)
                    .withDetail("enabled", true)
                    .withDetail("database", connection.getMetaData().getDatabaseProductName());
        }
    }
}
