package dev.agentfactory.store;

import java.time.Duration;

import org.springframework.util.unit.DataSize;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code factory.store=memory|postgres} selects the implementation (postgres by default);
 * {@code factory.store-retry.*} bounds the retries of transient database failures, in number and optionally in time;
 * {@code factory.store-page-budget} ({@code FACTORY_STOREPAGEBUDGET}) bounds the JSON one page of a list reads
 * ({@link PageReader}).
 */
@ConfigurationProperties("factory")
public record StoreProperties(@DefaultValue("postgres") Kind store, @DefaultValue Retry storeRetry,
                              DataSize storePageBudget) {

    public StoreProperties {
        storePageBudget = storePageBudget != null ? storePageBudget : DataSize.ofBytes(PageReader.DEFAULT_BUDGET_BYTES);
    }

    public enum Kind { MEMORY, POSTGRES }

    /** {@code maxElapsed}: the latest a retry may start after the first attempt began; unset, no such bound. */
    public record Retry(@DefaultValue("4") int maxAttempts, @DefaultValue("50ms") Duration initialBackoff,
                        @DefaultValue("1s") Duration maxBackoff, Duration maxElapsed) {

        public TransientRetry toRetry() {
            return new TransientRetry(maxAttempts, initialBackoff, maxBackoff, maxElapsed);
        }
    }
}
