package dev.agentfactory.bench.cdc;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;

/** Reads the version of a cached read-model value, and removes the bench's keys afterwards. */
final class RedisVersion {

    private static StatefulRedisConnection<String, String> connection;

    private RedisVersion() {
    }

    static synchronized long of(RedisClient client, String key) {
        if (connection == null) {
            connection = client.connect();
        }
        String value = connection.sync().get(key);
        if (value == null) {
            return -1;
        }
        int i = value.indexOf("\"version\":");
        if (i < 0) {
            return -1;
        }
        int start = i + 10;
        int end = start;
        while (end < value.length() && Character.isDigit(value.charAt(end))) {
            end++;
        }
        return Long.parseLong(value.substring(start, end));
    }

    static void deletePrefix(RedisClient client, String prefix) {
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanArgs match = ScanArgs.Builder.matches(prefix + ":*").limit(1000);
            KeyScanCursor<String> cursor = c.sync().scan(match);
            while (true) {
                if (!cursor.getKeys().isEmpty()) {
                    c.sync().del(cursor.getKeys().toArray(String[]::new));
                }
                if (cursor.isFinished()) {
                    return;
                }
                cursor = c.sync().scan(ScanCursor.of(cursor.getCursor()), match);
            }
        }
    }
}
