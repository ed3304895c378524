package io.edgekit.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds how many retries an upstream makes, so that retries cannot multiply the load on an upstream that
 * is failing: requests feed the budget, each retry (and hedge) draws on it. A retry after nothing was sent
 * (the connection failed, or the admission refused the attempt) adds no load and draws nothing.
 * Thread-safe and lock-free.
 */
public interface RetryBudget {

    /** A request was sent (its first attempt). */
    void onRequest();

    /** A request the budget heard of in {@link #onRequest} is over. */
    default void onRequestEnd() {
    }

    /** True (and the retry counted) when a retry fits in the budget now. */
    boolean tryRetry();

    /** A retry {@link #tryRetry} admitted is over. */
    default void onRetryEnd() {
    }

    /**
     * Retries in flight at most {@code percent} % of the requests in flight, and always at least
     * {@code minConcurrent} (Envoy's retry budget): a failing upstream under load gets a bounded share of
     * extra requests, a quiet one can still be retried.
     */
    static RetryBudget percentOfActive(int percent, int minConcurrent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent: " + percent + " (expected: 0-100)");
        }
        if (minConcurrent < 0) {
            throw new IllegalArgumentException("minConcurrent: " + minConcurrent + " (expected: >= 0)");
        }
        return new PercentOfActive(percent, minConcurrent);
    }

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

    /** Retries in flight bounded by a share of requests in flight. */
    final class PercentOfActive implements RetryBudget {
        private final int percent;
        private final int minConcurrent;
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger retries = new AtomicInteger();

        private PercentOfActive(int percent, int minConcurrent) {
            this.percent = percent;
            this.minConcurrent = minConcurrent;
        }

        @Override
        public void onRequest() {
            requests.incrementAndGet();
        }

        @Override
        public void onRequestEnd() {
            requests.decrementAndGet();
        }

        @Override
        public boolean tryRetry() {
            int now;
            do {
                now = retries.get();
                int allowed = Math.max(minConcurrent, (int) ((long) requests.get() * percent / 100));
                if (now >= allowed) {
                    return false;
                }
            } while (!retries.compareAndSet(now, now + 1));
            return true;
        }

        @Override
        public void onRetryEnd() {
            retries.decrementAndGet();
        }

        /** Retries in flight now. */
        public int retriesInFlight() {
            return retries.get();
        }

        /** Requests in flight now. */
        public int requestsInFlight() {
            return requests.get();
        }

        @Override
        public String toString() {
            return "RetryBudget[" + percent + " % of active, at least " + minConcurrent + "]";
        }
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
