package dev.agentfactory.gateway.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.agentfactory.gateway.GatewayTestStack;
import dev.agentfactory.stack.junit.HalfOpenProxy;
import dev.agentfactory.stack.junit.LocalStackExtension;
import dev.agentfactory.stack.junit.Poll;
import dev.agentfactory.store.StoreProperties;

/**
 * Every pooled connection goes silent at once (a network fault: nothing passes, neither end is told) and the next
 * read borrows them. Hikari finds each dead by validating it. At its default validation timeout (5 s, the whole
 * connection-timeout) each borrow got past one dead connection and failed, and the store's four attempts past four:
 * with the gateway's pool of 8 the read answered 503 after 20 s. At the gateway's 1 s, as the worker and relay have
 * it, a borrow gets past five, the retry past the other three to a new connection: the read is answered, in about
 * 8 s. The database is reached through a {@link HalfOpenProxy}; the pool is the application's own.
 */
@ExtendWith(LocalStackExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SilentDatabaseIT {

    static final String SECRET = "test-secret-for-the-gateway-silent-database-suite-0123";
    static final String DB = "it_gateway_silent_database";

    static HalfOpenProxy proxy;

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    StoreProperties store;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void database() {
        GatewayTestStack.freshMigratedDatabase(DB);
    }

    @AfterAll
    static void closeProxy() throws IOException {
        proxy.close();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        proxy = new HalfOpenProxy("127.0.0.1", LocalStackExtension.ensure().primaryPort());
        GatewayTestStack.connectApart(registry, DB, SECRET, "it-silent-db");
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + DB);
    }

    @Test
    void aReadAfterThePoolsConnectionsWentSilentIsAnsweredOnANewConnection() throws Exception {
        HikariDataSource pool = (HikariDataSource) dataSource;
        assertThat(read().statusCode()).as("an unknown agent: a database read").isEqualTo(404);
        Poll.until(Duration.ofSeconds(30), "the pool's eight connections open",
                () -> pool.getHikariPoolMXBean().getTotalConnections() == pool.getMaximumPoolSize());
        assertThat(pool.getMaximumPoolSize()).isEqualTo(8);

        proxy.silenceOpenConnections();
        Thread.sleep(700); // past Hikari's 500 ms during which a connection just used is lent without validation
        long start = System.nanoTime();
        HttpResponse<String> res = read();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(res.statusCode()).as("after %d ms: %s", took.toMillis(), res.body()).isEqualTo(404);
        // At Hikari's default 5 s validation timeout the read got past four dead connections and was answered 503
        // after 20 s (the status check above); had its borrows waited longer, it would have got past the eight in 40 s.
        assertThat(took).as("eight dead connections of 1 s each and a retry, then a new one (about 9 s), on a loaded"
                        + " machine; not eight of 5 s each (40 s), as at Hikari's default validation timeout")
                .isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void thePoolHasTheWorkersTimeoutsAndReadsRetryWithinABound() {
        HikariDataSource pool = (HikariDataSource) dataSource;
        assertThat(pool.getValidationTimeout()).isEqualTo(1000);
        assertThat(pool.getConnectionTimeout()).isEqualTo(5000);
        assertThat(pool.getDataSourceProperties()).containsEntry("tcpKeepAlive", "true")
                .containsEntry("socketTimeout", "15");
        assertThat(store.storeRetry().maxElapsed()).isEqualTo(Duration.ofSeconds(20));
    }

    private HttpResponse<String> read() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/agents/"
                        + UUID.randomUUID())).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + GatewayTestStack.token(SECRET, "authenticated", "it-silent-db"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
