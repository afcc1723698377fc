package dev.agentfactory.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The ingest worker: consumes the write topics and commits their effects to PostgreSQL exactly once. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class IngestWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(IngestWorkerApplication.class, args);
    }
}
