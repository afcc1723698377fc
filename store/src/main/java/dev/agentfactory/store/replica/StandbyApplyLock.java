package dev.agentfactory.store.replica;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The standby apply lock: a transaction-scoped advisory lock that every transaction writing replicated rows to a
 * standby takes first, the CDC relay's standby sink and {@code ops replay} alike. It serializes them, so a relay that
 * lost its leader lock commits its late delivery wholly before or after its successor's, and a replay transaction
 * reads the purge floors the sink committed before it and is never interleaved with a sink transaction (a purge, an
 * unlink) between that read and its writes. Defined once here so that both derive it from the same key, read from the
 * same variable with the same default.
 * <p>
 * The two-key form is a lock space of its own, apart from the relay's leader lock's one-key form: a relay
 * misconfigured to use its primary's database as its standby must not wait on its own leader lock. The lock timeout,
 * set for the rest of the transaction, bounds any wait, this one and the row locks after it, since a cancelled call
 * does not stop the server's wait.
 */
public final class StandbyApplyLock {

    /** The variable the relay's {@code lock-key} and ops read the relays' lock key from. */
    public static final String KEY_VARIABLE = "FACTORY_CDC_LOCK_KEY";
    /** The relays' lock key where {@link #KEY_VARIABLE} is not set (text, for the relay's property default). */
    public static final String DEFAULT_KEY_TEXT = "4242001";
    public static final long DEFAULT_KEY = Long.parseLong(DEFAULT_KEY_TEXT);
    /** The first key ("SBAP", standby apply); the second is the relays' lock key, folded ({@link #secondKey}). */
    public static final int LOCK_CLASS = 0x53424150;

    static final String LOCK_SQL = "SET LOCAL lock_timeout = %d; SELECT pg_advisory_xact_lock(%d, %d)";

    private StandbyApplyLock() {
    }

    /**
     * Takes the lock for the rest of the current transaction (autocommit off), waiting at most {@code lockTimeout}
     * for it and for each row lock after it in that transaction.
     */
    public static void take(Connection c, long lockKey, Duration lockTimeout) throws SQLException {
        try (Statement lock = c.createStatement()) {
            lock.execute(LOCK_SQL.formatted(Math.max(1, lockTimeout.toMillis()), LOCK_CLASS, secondKey(lockKey)));
        }
    }

    /** The second key of the lock: the relays' 64-bit lock key folded into 32 bits. */
    public static int secondKey(long lockKey) {
        return (int) (lockKey ^ (lockKey >>> 32));
    }
}
