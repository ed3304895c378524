package io.edgekit.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds how many retries an upstream makes, so that retries cannot multiply the load on an upstream that
 * is failing: each request deposits into the budget, each retry (and hedge) withdraws. Thread-safe and
 * lock-free.
 */
public interface RetryBudget {

    /** A request was sent (its first attempt). */
    void onRequest();

    /** True (and the retry counted) when a retry fits in the budget now. */
    boolean tryRetry();

    /** No bound: every retry the rule asks for is made. */
    static RetryBudget unlimited() {
        return Unlimited.INSTANCE;
    }

    /**
     * At most {@code ratio} retries per request on average, plus {@code minRetries} that are always
     * allowed, so a quiet upstream can still be retried (Finagle's and gRPC's retry budget, without
     * the time window: deposits are capped at {@code 10 * minRetries + 100} tokens).
     */
    static RetryBudget ratio(double ratio, int minRetries) {
        if (!(ratio >= 0 && ratio <= 10)) {
            throw new IllegalArgumentException("ratio: " + ratio + " (expected: 0-10)");
        }
        if (minRetries < 0) {
            throw new IllegalArgumentException("minRetries: " + minRetries + " (expected: >= 0)");
        }
        return new Ratio(ratio, minRetries);
    }

    /** The unlimited budget. */
    final class Unlimited implements RetryBudget {
        static final Unlimited INSTANCE = new Unlimited();

        @Override
        public void onRequest() {
        }

        @Override
        public boolean tryRetry() {
            return true;
        }

        @Override
        public String toString() {
            return "RetryBudget[unlimited]";
        }
    }

    /** Tokens in thousandths: a request adds {@code ratio * 1000}, a retry takes 1000. */
    final class Ratio implements RetryBudget {
        private final long deposit;
        private final long cap;
        private final AtomicLong tokens;

        private Ratio(double ratio, int minRetries) {
            this.deposit = Math.round(ratio * 1000);
            this.cap = (10L * minRetries + 100) * 1000;
            this.tokens = new AtomicLong(minRetries * 1000L);
        }

        @Override
        public void onRequest() {
            if (deposit == 0) {
                return;
            }
            long now;
            do {
                now = tokens.get();
                if (now >= cap) {
                    return;
                }
            } while (!tokens.compareAndSet(now, Math.min(cap, now + deposit)));
        }

        @Override
        public boolean tryRetry() {
            long now;
            do {
                now = tokens.get();
                if (now < 1000) {
                    return false;
                }
            } while (!tokens.compareAndSet(now, now - 1000));
            return true;
        }

        /** Retries that would fit now. */
        public long available() {
            return tokens.get() / 1000;
        }
    }
}
