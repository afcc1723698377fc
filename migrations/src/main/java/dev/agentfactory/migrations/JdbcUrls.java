package dev.agentfactory.migrations;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * PostgreSQL JDBC URL surgery, the one place that splits such a URL: another database on the same server(s),
 * extra parameters. Read as pgjdbc reads it: the parameters start at the first {@code ?} (so a {@code /} in
 * {@code sslrootcert=/etc/ca.pem} is not a path), the host list (IPv6 in brackets, several hosts separated by
 * commas) ends at the first {@code /} after {@code //}, and the database name is URL-encoded. A URL pgjdbc would
 * read differently (parameters naming the database or server, a second {@code /}) is refused.
 */
public final class JdbcUrls {

    private static final String PREFIX = "jdbc:postgresql://";
    /**
     * Parameters pgjdbc reads as the database or server in place of the path's (dbname and DBNAME both work): a URL
     * "pointed at another database" would still reach the one they name, so such a URL is refused.
     */
    private static final Set<String> OVERRIDING_PARAMETERS = Set.of("dbname", "pgdbname", "host", "pghost", "port",
            "pgport");

    private static final Pattern PASSWORD_VALUE = Pattern.compile("(?i)([?&;]password=)[^&]*");

    private JdbcUrls() {
    }

    /** The three parts: {@code jdbc:postgresql://hosts}, the encoded database name ("" if none), {@code ?params}. */
    private record Parts(String server, String database, String params) {

        static Parts of(String url) {
            if (url == null || !url.startsWith(PREFIX)) {
                throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): "
                        + redacted(url));
            }
            int query = url.indexOf('?');
            String base = query < 0 ? url : url.substring(0, query);
            String params = query < 0 ? "" : url.substring(query);
            for (String param : params.isEmpty() ? new String[0] : params.substring(1).split("&")) {
                String key = param.substring(0, param.indexOf('=') < 0 ? param.length() : param.indexOf('='));
                if (OVERRIDING_PARAMETERS.contains(key.toLowerCase(Locale.ROOT))) {
                    // Never echo the URL: its parameters may hold a password.
                    throw new IllegalArgumentException("the PostgreSQL JDBC URL sets " + key + " as a parameter, which"
                            + " pgjdbc lets override its path; name the host, port and database in its path only");
                }
            }
            int slash = base.indexOf('/', PREFIX.length());
            if (slash >= 0 && base.indexOf('/', slash + 1) >= 0) {
                throw new IllegalArgumentException("the PostgreSQL JDBC URL has a '/' in its database name, which"
                        + " pgjdbc refuses; encode it as %2F");
            }
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

    /** The URL with the value of any {@code password} parameter masked: for messages and logs. */
    public static String redacted(String url) {
        return url == null ? null : PASSWORD_VALUE.matcher(url).replaceAll("$1***");
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
