package dev.agentfactory.relay.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class StandbyHealthIndicatorTest {

    @Test
    void aRelayWithoutTheStandbySinkReportsTheStandbyUpAndDisabled() {
        Health health = new StandbyHealthIndicator(null).health(true);
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("enabled", false);
    }

    @Test
    void aStandbyThatRefusesTheLoginIsDown() {
        Health health = new StandbyHealthIndicator(new Refusing()).health(true);
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(String.valueOf(health.getDetails().get("error"))).contains("password authentication failed");
    }

    /** A data source whose every connection attempt fails as PostgreSQL refuses a wrong password. */
    private static final class Refusing implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            throw new SQLException("FATAL: password authentication failed for user \"factory_writer\"", "28P01");
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
