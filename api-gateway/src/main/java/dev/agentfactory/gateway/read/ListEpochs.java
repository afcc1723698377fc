package dev.agentfactory.gateway.read;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The current epoch of an entity's list pages, held in Redis ({@code ReadModelKeys#agentListEpoch}): a
 * random token that lives until a committed change deletes the key (the CDC relay for every change, the
 * gateway itself when it answers a write). A read takes the token before it queries, so a page can only
 * be served under an epoch that began after the page's query did. Tokens are random rather than counted
 * so that a lost key (Redis restarted or flushed) can never bring an old epoch back.
 */
@Component
class ListEpochs {

    // KEYS[1] epoch key; ARGV[1] the token to start a new epoch with when there is none.
    static final String CURRENT_OR_NEW = """
            local e = redis.call('GET', KEYS[1])
            if e then return e end
            redis.call('SET', KEYS[1], ARGV[1])
            return ARGV[1]""";

    private static final RedisScript<String> SCRIPT = RedisScript.of(CURRENT_OR_NEW, String.class);

    private final StringRedisTemplate redis;

    ListEpochs(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** The epoch a read is about to compute or serve a page for; throws when Redis is unavailable. */
    String current(String key) {
        String token = Long.toHexString(ThreadLocalRandom.current().nextLong());
        return redis.execute(SCRIPT, List.of(key), token);
    }

    /** Ends the epoch: pages computed before now are not served again. */
    void end(String key) {
        redis.delete(key);
    }
}
