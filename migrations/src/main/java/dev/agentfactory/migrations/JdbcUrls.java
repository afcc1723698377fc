package dev.agentfactory.migrations;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * PostgreSQL JDBC URL surgery, the one place that splits such a URL: another database on the same server(s),
 * extra parameters. Read as pgjdbc reads it: the parameters start at the first {@code ?} (so a {@code /} in
 * {@code sslrootcert=/etc/ca.pem} is not a path), the host list (IPv6 in brackets, several hosts separated by
 * commas) ends at the first {@code /} after {@code //}, and the database name is URL-encoded.
 */
public final class JdbcUrls {

    private static final String PREFIX = "jdbc:postgresql://";

    private JdbcUrls() {
    }

    /** The three parts: {@code jdbc:postgresql://hosts}, the encoded database name ("" if none), {@code ?params}. */
    private record Parts(String server, String database, String params) {

        static Parts of(String url) {
            if (url == null || !url.startsWith(PREFIX)) {
                throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): "
                        + url);
            }
            int query = url.indexOf('?');
            String base = query < 0 ? url : url.substring(0, query);
            String params = query < 0 ? "" : url.substring(query);
            int slash = base.indexOf('/', PREFIX.length());
            return slash < 0 ? new Parts(base, "", params)
                    : new Parts(base.substring(0, slash), base.substring(slash + 1), params);
        }
    }

    /**
     * The URL of {@code database} on the server(s) of {@code url}, keeping its parameters (TLS options); a URL
     * without a database gets one.
     */
    public static String withDatabase(String url, String database) {
        Parts p = Parts.of(url);
        return p.server() + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20") + p.params();
    }

    /** The database name of a URL, decoded as pgjdbc decodes it; "" when the URL names none. */
    public static String database(String url) {
        return URLDecoder.decode(Parts.of(url).database(), StandardCharsets.UTF_8);
    }

    /** Adds each parameter the URL does not already set. */
    public static String withDefaultParameters(String url, Map<String, String> params) {
        StringBuilder out = new StringBuilder(url);
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (url.contains("?" + p.getKey() + "=") || url.contains("&" + p.getKey() + "=")) {
                continue;
            }
            out.append(out.indexOf("?") < 0 ? '?' : '&').append(p.getKey()).append('=').append(p.getValue());
        }
        return out.toString();
    }
}
