package dev.agentfactory.relay;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The CDC relay: streams committed changes from PostgreSQL to Redis, the audit topics and the standby. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CdcRelayApplication {

    public static void main(String[] args) {
        SpringApplication.run(CdcRelayApplication.class, args);
    }
}
