package dev.agentfactory.migrations;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

    /** {@code password} and pgjdbc's {@code sslpassword} (the client key's). */
    private static final Pattern PASSWORD_VALUE = Pattern.compile("(?i)([?&;](?:ssl)?password=)[^&]*");
    /**
     * A password in a URI's user information ({@code //user:secret@host}), which libpq URIs allow: up to the LAST
     * {@code @} before the parameters, since a password pasted raw may hold {@code @} or {@code /} itself (masking
     * a port and path too in the odd URL with an {@code @} in its database name is the safe side).
     */
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/?@:\\[]*:)[^?]*@");

    private JdbcUrls() {
    }

    /** The three parts: {@code jdbc:postgresql://hosts}, the encoded database name ("" if none), {@code ?params}. */
    private record Parts(String server, String database, String params) {

        static Parts of(String url) {
            if (url == null || !url.startsWith(PREFIX)) {
                // Only the scheme: anything after it may be a password (a libpq URI's user:secret@host).
                throw new IllegalArgumentException("not a PostgreSQL JDBC URL, jdbc:postgresql://host:port/database"
                        + "?options (it starts with '" + scheme(url) + "')");
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

    /**
     * The servers of a URL, as written in it ({@code host}, {@code host:port}, {@code [ipv6]:port}): several for a
     * multi-host URL.
     */
    public static List<String> servers(String url) {
        return List.of(Parts.of(url).server().substring(PREFIX.length()).split(","));
    }

    /** The database name of a URL, decoded as pgjdbc decodes it; "" when the URL names none. */
    public static String database(String url) {
        return URLDecoder.decode(Parts.of(url).database(), StandardCharsets.UTF_8);
    }

    /**
     * The URL with its passwords masked, a {@code password} parameter's value and a user-information password
     * alike: for messages and logs. A message holding a URL is masked the same way, which is how the CLIs print
     * every failure: Flyway masks only {@code password=} in the URLs it puts in its messages, not pgjdbc's
     * {@code sslpassword}.
     */
    public static String redacted(String url) {
        return url == null ? null
                : USERINFO_PASSWORD.matcher(PASSWORD_VALUE.matcher(url).replaceAll("$1***")).replaceFirst("$1***@");
    }

    private static String scheme(String url) {
        if (url == null || url.isBlank()) {
            return "";
        }
        int colon = url.indexOf(':');
        String start = colon < 0 ? "" : url.substring(0, colon + 1);
        // jdbc:<subprotocol>: names the driver, which tells the reader what went wrong.
        int second = start.equals("jdbc:") ? url.indexOf(':', colon + 1) : -1;
        return second < 0 ? start : url.substring(0, second + 1);
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
