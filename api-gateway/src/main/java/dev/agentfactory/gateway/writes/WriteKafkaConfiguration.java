package dev.agentfactory.gateway.writes;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.webmvc.autoconfigure.WebMvcProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteProducer;
import dev.agentfactory.gateway.GatewayProperties;

/**
 * The gateway's Kafka: the contracts' idempotent producer on the configured write topics, the results
 * listener's container (manual acks that are never given, so no offsets are committed), its error
 * handler, and the threads that wait for outcomes and build the answers, with the answers' deadline.
 */
@Configuration(proxyBeanMethods = false)
class WriteKafkaConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WriteKafkaConfiguration.class);

    /**
     * How long closing the producer waits for records the broker has not acknowledged. No caller is owed them: a
     * write is answered 202 only on the broker's ack, and by the time beans are destroyed the web server has drained.
     * The contracts' 30 s (or the delivery timeout, with the broker down) would outlast Cloud Run's 10 s grace,
     * of which the drain takes 6, and the process would be killed before the rest of the context closed.
     */
    static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(2);

    @Bean(destroyMethod = "")
    WriteProducer writeProducer(KafkaProperties kafka, GatewayProperties props) {
        return new WriteProducer(String.join(",", kafka.getBootstrapServers()), producerConfig(kafka, props),
                props.topics().agentWrites(), props.topics().prdWrites());
    }

    /** Closes the producer within {@link #PRODUCER_CLOSE_TIMEOUT} (destroyed before the producer it depends on). */
    @Bean
    DisposableBean writeProducerCloser(WriteProducer writeProducer) {
        return () -> writeProducer.close(PRODUCER_CLOSE_TIMEOUT);
    }

    /**
     * The settings the gateway puts over the contracts' producer defaults, each unless spring.kafka sets it.
     * The HTTP caller waits for the broker's ack, so a broker outage must answer 503 within seconds rather
     * than block a request for the client's two-minute default (metadata wait plus delivery timeout). No
     * compression: lz4 allocates two 64 KiB block buffers per batch, so batches of one or two records made up to
     * 130 KB of garbage per write to compress a few hundred bytes of JSON. The agents' 5 ms linger stays: without
     * it every record is a produce request of its own, which cost 40 % more gateway CPU per write at 2,000/s
     * (542–610 µs against 385–401, and broker work besides) to take a 202 from 4.6 ms to 0.9 at p50, a gain no
     * dashboard user sees; a deployment that wants it sets spring.kafka.producer.properties.linger.ms=0.
     */
    static Map<String, Object> producerConfig(KafkaProperties kafka, GatewayProperties props) {
        Map<String, Object> config = kafka.buildProducerProperties();
        int publishMillis = (int) Math.min(Integer.MAX_VALUE, props.writes().publishTimeout().toMillis());
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, publishMillis / 2);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, publishMillis / 2);
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, publishMillis);
        config.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes(props));
        config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return config;
    }

    /** Room for the envelope's fields, the record's key and headers and the batch overhead around a payload. */
    static final int ENVELOPE_OVERHEAD_BYTES = 64 * 1024;

    /**
     * The producer's max.request.size: the largest record the gateway can publish, an envelope around a body
     * of up to max-body-bytes that the codec accepted (at most {@link WriteCodec#DEFAULT_MAX_BYTES}), plus
     * overhead. Kafka's default (1 MiB) is the body limit itself, so a body near it failed once wrapped. The
     * broker and topics must accept as much (message.max.bytes: 2 MiB on the local stack and in compose);
     * spring.kafka.producer.properties.max.request.size overrides it.
     */
    static int maxRequestBytes(GatewayProperties props) {
        long largest = Math.max(props.maxBodyBytes(), WriteCodec.DEFAULT_MAX_BYTES) + ENVELOPE_OVERHEAD_BYTES;
        return (int) Math.min(Integer.MAX_VALUE, largest);
    }

    @Bean
    ConcurrentKafkaListenerContainerFactory<String, byte[]> writeResultsContainerFactory(KafkaProperties kafka,
                                                                                          DefaultErrorHandler resultsErrorHandler) {
        Map<String, Object> config = kafka.buildConsumerProperties();
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        var factory = new ConcurrentKafkaListenerContainerFactory<String, byte[]>();
        factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config));
        factory.getContainerProperties().setAckMode(AckMode.MANUAL);
        factory.setCommonErrorHandler(resultsErrorHandler);
        return factory;
    }

    /** An outcome that cannot be decoded is only a missed notification (the poll still finds it): skip it. */
    @Bean
    DefaultErrorHandler resultsErrorHandler() {
        DefaultErrorHandler handler = new DefaultErrorHandler((record, e) -> log.warn(
                "skipped an undecodable write outcome at {}-{}@{}: {}", record.topic(), record.partition(),
                record.offset(), e.getMessage()), new FixedBackOff(0L, 0L));
        handler.setAckAfterHandle(false);
        return handler;
    }

    /** The fallback's one sweep (OutcomeWaiter#poll) looks up every due wait at once: one thread is enough. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService outcomePollScheduler() {
        return Executors.newSingleThreadScheduledExecutor(named("outcome-poll"));
    }

    /** Answers a burst of this many outcomes per answer thread at once; beyond, they are answered without reading. */
    static final int ANSWER_QUEUE_PER_THREAD = 64;

    /**
     * The threads that read an applied write back (WriteAnswers), with a bounded queue: a full one refuses the task
     * and the write is answered from its outcome alone, rather than queued without end behind reads that take seconds.
     */
    @Bean(destroyMethod = "shutdown")
    ExecutorService writeAnswerExecutor(GatewayProperties props) {
        int threads = props.writes().answerThreads();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(threads * ANSWER_QUEUE_PER_THREAD), named("write-answer"));
    }

    /** Refuses to start when factory.gateway.max-wait leaves an answer no time to read before the request timeout. */
    @Bean
    AnswerDeadline writeAnswerDeadline(WebMvcProperties mvc, GatewayProperties props) {
        return AnswerDeadline.of(mvc.getAsync().getRequestTimeout(), props.maxWait());
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
