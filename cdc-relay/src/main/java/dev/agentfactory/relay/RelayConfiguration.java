package dev.agentfactory.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentfactory.contracts.ExactJson;
import dev.agentfactory.relay.change.ChangeParser;
import dev.agentfactory.relay.engine.DebeziumConfig;
import dev.agentfactory.relay.engine.RelayRunner;
import dev.agentfactory.relay.engine.ReplicationSlot;
import dev.agentfactory.relay.engine.TransactionalBatchHandler;
import dev.agentfactory.relay.health.SlotLagMonitor;
import dev.agentfactory.relay.health.StandbyHealthIndicator;
import dev.agentfactory.relay.sink.AuditEvents;
import dev.agentfactory.relay.sink.AuditSink;
import dev.agentfactory.relay.sink.RedisReadModelSink;
import dev.agentfactory.relay.sink.Rows;
import dev.agentfactory.relay.sink.Sink;
import dev.agentfactory.relay.sink.SinkDispatcher;
import dev.agentfactory.relay.sink.StandbySink;
import dev.agentfactory.store.cache.ReadModelCodec;
import dev.agentfactory.store.cache.ReadModelKeys;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/** Wires the engine, its sinks and its health; every setting comes from {@link CdcProperties}. */
@Configuration(proxyBeanMethods = false)
class RelayConfiguration {

    @Bean
    Rows rows() {
        return new Rows(ExactJson.mapper());
    }

    /**
     * Audit events as large as {@code factory.cdc.audit-max-request-bytes}: at Kafka's default (1 MiB) an update of an
     * entity over about half the worker's size limit could never be published, and the relay stopped on it for good.
     */
    @Bean
    DefaultKafkaProducerFactoryCustomizer auditEventSize(CdcProperties props) {
        return factory -> factory.updateConfigs(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                props.auditMaxRequestBytes()));
    }

    @Bean
    DebeziumConfig.Primary primary(DataSourceProperties ds) {
        return new DebeziumConfig.Primary(ds.getUrl(), ds.getUsername(), ds.getPassword());
    }

    @Bean
    ReplicationSlot replicationSlot(DataSource primary, CdcProperties props) {
        return new ReplicationSlot(primary, props.slotName());
    }

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService sinkExecutor() {
        AtomicInteger n = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cdc-sink-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The standby pool, with no data source when the standby sink is off. A holder, not a {@code DataSource} bean: one
     * would take the place of the primary's auto-configured pool. The standby sink closes the pool.
     */
    record StandbyPool(DataSource dataSource) {
    }

    @Bean
    StandbyPool standbyPool(CdcProperties props) {
        return new StandbyPool(props.standby().enabled()
                ? standbyDataSource(props.standby(), props.dbSocketTimeout()) : null);
    }

    @Bean
    SinkDispatcher sinkDispatcher(CdcProperties props, StringRedisTemplate redis,
                                  KafkaTemplate<String, String> kafka, Rows rows, ExecutorService sinkExecutor,
                                  StandbyPool standby, MeterRegistry meters) {
        List<Sink> sinks = new ArrayList<>();
        RedisReadModelSink readModel = new RedisReadModelSink(redis, new ReadModelKeys(props.redisPrefix()),
                new ReadModelCodec(), rows, props.tombstoneTtl().toSeconds(), props.sinkTimeout().dividedBy(2));
        FunctionCounter.builder("factory.cdc.redis.read.model.drops", readModel, RedisReadModelSink::readModelDrops)
                .description("read models dropped: Redis was another server than the one they were written to")
                .register(meters);
        sinks.add(readModel);
        sinks.add(new AuditSink(kafka, new AuditEvents(rows), ExactJson.mapper(),
                props.agentsAuditTopic(), props.prdsAuditTopic(), props.auditMaxRequestBytes()));
        if (standby.dataSource() != null) {
            sinks.add(new StandbySink(standby.dataSource(), ExactJson.mapper(), props.lockKey(), props.sinkTimeout()));
        }
        return new SinkDispatcher(sinks, sinkExecutor, props, meters);
    }

    @Bean
    RelayRunner relayRunner(CdcProperties props, DebeziumConfig.Primary primary, ReplicationSlot slot,
                            SinkDispatcher sinks, MeterRegistry meters) {
        ChangeParser parser = new ChangeParser(props.topicPrefix());
        RelayRunner runner = new RelayRunner(props, primary, slot,
                () -> new TransactionalBatchHandler(parser, sinks, props.maxDeliveryChanges(),
                        props.maxDeliveryBytes()));
        // A stream that fails before its first delivery (its slot lost, say) moves no sink metric: count it.
        FunctionCounter.builder("factory.cdc.stream.failures", runner, RelayRunner::streamFailures)
                .description("change streams stopped on an error and restarted").register(meters);
        return runner;
    }

    @Bean
    SlotLagMonitor cdcHealthIndicator(ReplicationSlot slot, RelayRunner runner, CdcProperties props,
                                      MeterRegistry meters) {
        return new SlotLagMonitor(slot, runner, props, meters);
    }

    /**
     * The health component {@code standby}: the standby sink's database, which Boot's {@code db} (the primary) does
     * not cover. In the {@code startup} group, so a revision that cannot reach its standby never goes live.
     */
    @Bean
    StandbyHealthIndicator standbyHealthIndicator(StandbyPool standby) {
        return new StandbyHealthIndicator(standby.dataSource());
    }

    /**
     * The standby pool. A delivery's thread waiting on a connection gone half-open is not ended by the dispatcher's
     * interrupt, and kept its pool connection for good: four such faults and the pool was empty, the relay restarting
     * on every delivery. The socket timeout ends that read, and TCP keepalive a dead peer; a borrowed connection
     * is validated within 1 s (all of them are dead at once after a fault).
     */
    private static DataSource standbyDataSource(CdcProperties.Standby standby, Duration socketTimeout) {
        HikariDataSource ds = new HikariDataSource();
        ds.setPoolName("standby");
        ds.setJdbcUrl(standby.url());
        ds.setUsername(standby.username());
        ds.setPassword(standby.password());
        ds.setMaximumPoolSize(standby.poolSize());
        ds.setConnectionTimeout(5000);
        ds.setValidationTimeout(1000);
        ds.addDataSourceProperty("socketTimeout", Long.toString(socketTimeout.toSeconds()));
        ds.addDataSourceProperty("tcpKeepAlive", "true");
        // no reWriteBatchedInserts: a multi-row INSERT ... ON CONFLICT cannot touch one row twice, and a
        // delivery may carry several versions of one row; a plain batch is still one pipelined round trip
        return ds;
    }
}
