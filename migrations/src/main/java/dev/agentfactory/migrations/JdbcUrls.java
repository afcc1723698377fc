package dev.agentfactory.migrations;

import java.util.Map;

/** PostgreSQL JDBC URL surgery: another database on the same server, extra parameters. */
public final class JdbcUrls {

    private JdbcUrls() {
    }

    /** The URL of {@code database} on the server of {@code url}, keeping its parameters (TLS options). */
    public static String withDatabase(String url, String database) {
        int hostStart = url.indexOf("//");
        if (!url.startsWith("jdbc:postgresql:") || hostStart < 0) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + url);
        }
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        int slash = base.indexOf('/', hostStart + 2);
        String server = slash < 0 ? base : base.substring(0, slash);
        return server + "/" + database + params;
    }

    /** The database name of a URL. */
    public static String database(String url) {
        int hostStart = url.indexOf("//");
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        int slash = base.indexOf('/', hostStart + 2);
        return slash < 0 ? "" : base.substring(slash + 1);
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
