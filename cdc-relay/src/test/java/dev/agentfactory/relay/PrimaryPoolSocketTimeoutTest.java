package dev.agentfactory.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import com.zaxxer.hikari.HikariDataSource;

/** The primary's pool with application.yml: its socketTimeout is factory.cdc.db-socket-timeout in whole seconds. */
class PrimaryPoolSocketTimeoutTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(CdcProperties.class)
    @Import(PrimaryPoolConfiguration.class)
    static class Relay {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer()) // application.yml
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
            .withUserConfiguration(Relay.class);

    /** The variable's text went to pgjdbc as it was: "45s" is no integer, and every primary connection failed. */
    @Test
    void aDurationInTheVariableReachesThePrimaryPoolAsWholeSeconds() {
        context.withPropertyValues("FACTORY_CDC_DB_SOCKET_TIMEOUT=45s").run(ctx ->
                assertThat(ctx.getBean(HikariDataSource.class).getDataSourceProperties())
                        .containsEntry("socketTimeout", "45").containsEntry("tcpKeepAlive", "true"));
    }

    /** Set any other way than by the variable, the setting reached the standby pool and the offset store only. */
    @Test
    void thePropertySetDirectlyReachesThePrimaryPool() {
        context.withPropertyValues("factory.cdc.db-socket-timeout=50").run(ctx ->
                assertThat(ctx.getBean(HikariDataSource.class).getDataSourceProperties())
                        .containsEntry("socketTimeout", "50"));
        context.run(ctx -> assertThat(ctx.getBean(HikariDataSource.class).getDataSourceProperties())
                .as("the default").containsEntry("socketTimeout", "30"));
    }
}
