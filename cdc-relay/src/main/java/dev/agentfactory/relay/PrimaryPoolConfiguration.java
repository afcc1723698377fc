package dev.agentfactory.relay;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The primary's pool ({@code spring.datasource}, auto-configured: the slot lag and walsender queries) takes pgjdbc's
 * {@code socketTimeout} from {@code factory.cdc.db-socket-timeout}, as the standby pool and the offset store do.
 * application.yml passed the variable's text to it, so {@code FACTORY_CDC_DB_SOCKET_TIMEOUT=45s}, which the
 * relay's settings accept, broke every primary connection (pgjdbc wants whole seconds), and the setting given any
 * other way never reached that pool.
 */
@Configuration(proxyBeanMethods = false)
class PrimaryPoolConfiguration {

    /** Static, and the settings looked up when the pool is made: a post-processor is created before other beans. */
    @Bean
    static BeanPostProcessor primarySocketTimeout(ObjectProvider<CdcProperties> props) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                // the only HikariDataSource bean: the standby pool is not one (RelayConfiguration.StandbyPool)
                if (bean instanceof HikariDataSource primary) {
                    primary.addDataSourceProperty("socketTimeout",
                            Long.toString(props.getObject().dbSocketTimeout().toSeconds()));
                }
                return bean;
            }
        };
    }
}
