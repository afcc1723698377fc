package dev.agentfactory.bench.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's own meters, read from its Prometheus endpoint (with a service_role token, which it needs): how many
 * writes wait, which path answered them, how many fallback queries they cost, how many threads it runs.
 * {@link Peaks} samples them while a run goes, at a scraper's pace, not a profiler's.
 */
final class GatewayMeters {

    // factory_gateway_write_outcomes_total{application="api-gateway",source="poll"} 12.0
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI uri;
    private final String token;

    /** {@code secret}: the gateway's HS256 secret, to sign the service_role token the endpoint asks for. */
    GatewayMeters(int port, String secret) throws Exception {
        this.uri = URI.create("http://127.0.0.1:" + port + "/actuator/prometheus");
        this.token = GatewaySeed.token(secret, "service_role");
    }

    /** One scrape: {@code name{labels}} (labels as the endpoint prints them) to value. */
    Map<String, Double> read() {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("scraping " + uri + " answered " + response.statusCode());
            }
            String body = response.body();
            Map<String, Double> values = new HashMap<>();
            for (String line : body.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (m.matches() && (m.group(1).startsWith("factory_gateway_write")
                        || m.group(1).equals("jvm_threads_live_threads"))) {
                    values.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
                }
            }
            return values;
        } catch (IOException e) {
            throw new IllegalStateException("cannot scrape " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sum of the series of {@code name} whose labels contain {@code label} (e.g. {@code source="poll"}). */
    static double value(Map<String, Double> scrape, String name, String label) {
        return scrape.entrySet().stream()
                .filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{") && e.getKey().contains(label))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** Highest values seen of some series while it runs, scraped every {@code everyMillis}. */
    final class Peaks implements AutoCloseable {

        private final Map<String, Double> max = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        Peaks(long everyMillis, String... names) {
            thread = new Thread(() -> {
                while (running) {
                    Map<String, Double> scrape = read();
                    for (String name : names) {
                        max.merge(name, value(scrape, name, ""), Math::max);
                    }
                    try {
                        Thread.sleep(everyMillis); // a scrape interval, not a wait for something to happen
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, "gateway-meters");
            thread.setDaemon(true);
            thread.start();
        }

        double max(String name) {
            return max.getOrDefault(name, Double.NaN);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5_000);
        }
    }
}
