package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A named group of endpoints that routes send requests to, with the balancer that picks among them and
 * the bounds of its connection pools. Immutable; built with {@link #named(String)}.
 */
public final class Upstream {
    private final String name;
    private final List<Endpoint> endpoints;
    private final Balancer balancer;
    private final int maxAttempts;
    private final int maxConnectionsPerIoThread;
    private final int maxPendingPerIoThread;
    private final Duration keepAlive;
    private final int maxResponseHeaderBytes;
    private final boolean http2;
    private final boolean resendOnClosedConnection;
    private final RetryRule retryRule;
    private final RetryBudget retryBudget;
    private final Admission admission;
    private final Duration attemptTimeout;
    private final Duration hedgeDelay;
    private final int maxHedges;
    private final HealthChecker healthChecker;
    private final long replayBufferBytes;

    private Upstream(Builder b) {
        this.replayBufferBytes = b.replayBufferBytes;
        this.retryRule = b.retryRule;
        this.retryBudget = b.retryBudget;
        this.admission = b.admission;
        this.attemptTimeout = b.attemptTimeout;
        this.hedgeDelay = b.hedgeDelay;
        this.maxHedges = b.maxHedges;
        this.healthChecker = b.healthChecker;
        this.name = b.name;
        this.endpoints = List.copyOf(b.endpoints);
        this.balancer = b.balancer;
        this.maxAttempts = b.maxAttempts;
        this.maxConnectionsPerIoThread = b.maxConnectionsPerIoThread;
        this.maxPendingPerIoThread = b.maxPendingPerIoThread;
        this.keepAlive = b.keepAlive;
        this.maxResponseHeaderBytes = b.maxResponseHeaderBytes;
        this.http2 = b.http2;
        this.resendOnClosedConnection = b.resendOnClosedConnection;
    }

    /**
     * True (the default) when an idempotent request whose body can be sent again goes out once more, on
     * another connection to the same endpoint, after a kept-alive connection closed before any response.
     */
    public boolean resendOnClosedConnection() {
        return resendOnClosedConnection;
    }

    /** True when the edge speaks HTTP/2 to these endpoints (cleartext, by prior knowledge). */
    public boolean http2() {
        return http2;
    }

    public static Builder named(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public Balancer balancer() {
        return balancer;
    }

    /**
     * How many attempts (first, retries and hedges together; mirrors apart) one request may make at most,
     * and never more than the upstream has endpoints. Whether a failed attempt is retried is the
     * {@link #retryRule()}'s decision, within the {@link #retryBudget()}.
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Decides whether a failed attempt is tried again. By default, as NGINX does: a connect failure on any
     * request, and a reset or a timeout before the response head for an idempotent request whose body can be
     * sent again ({@link RetryRule#idempotent} with no statuses).
     */
    public RetryRule retryRule() {
        return retryRule;
    }

    /**
     * Bounds retries and hedges across requests; by default retries in flight are at most 20 % of the
     * requests in flight, and always at least 3 ({@link RetryBudget#percentOfActive}).
     */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    /**
     * Admits or refuses each attempt (circuit breaking) and hears every outcome; by default
     * {@link Admission#passive} with 10 seconds: an endpoint that fails without answering is avoided for a
     * while and comes back by itself.
     */
    public Admission admission() {
        return admission;
    }

    /** How long one attempt may take to its response head before it is cancelled as timed out; zero: none. */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /**
     * After how long without a response head a hedge (a parallel attempt to another endpoint) is sent;
     * zero: no hedging. Only requests whose method is idempotent and whose body can be replayed are hedged.
     */
    public Duration hedgeDelay() {
        return hedgeDelay;
    }

    /** How many hedges one request may send at most. */
    public int maxHedges() {
        return maxHedges;
    }

    /**
     * Request bodies up to this many bytes are read into memory before the first attempt, so a retry can send
     * them again (POST and PUT stay retryable); larger bodies stream and are not retried once sent. 0 (the
     * default): bodies always stream.
     */
    public long replayBufferBytes() {
        return replayBufferBytes;
    }

    /** What watches the endpoints' health, if anything. */
    public java.util.Optional<HealthChecker> healthChecker() {
        return java.util.Optional.ofNullable(healthChecker);
    }

    /** Connections one IO thread keeps open to one endpoint at most, busy and idle together. */
    public int maxConnectionsPerIoThread() {
        return maxConnectionsPerIoThread;
    }

    /** Requests one IO thread lets wait for a connection to one endpoint; beyond it, 503. */
    public int maxPendingPerIoThread() {
        return maxPendingPerIoThread;
    }

    /** How long an idle pooled connection is kept before it is closed. */
    public Duration keepAlive() {
        return keepAlive;
    }

    /** The most bytes of header fields a response may have; a larger one is a 502. */
    public int maxResponseHeaderBytes() {
        return maxResponseHeaderBytes;
    }

    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.endpoints.addAll(endpoints);
        b.balancer = balancer;
        b.maxAttempts = maxAttempts;
        b.maxConnectionsPerIoThread = maxConnectionsPerIoThread;
        b.maxPendingPerIoThread = maxPendingPerIoThread;
        b.keepAlive = keepAlive;
        b.maxResponseHeaderBytes = maxResponseHeaderBytes;
        b.http2 = http2;
        b.resendOnClosedConnection = resendOnClosedConnection;
        b.retryRule = retryRule;
        b.retryBudget = retryBudget;
        b.admission = admission;
        b.attemptTimeout = attemptTimeout;
        b.hedgeDelay = hedgeDelay;
        b.maxHedges = maxHedges;
        b.healthChecker = healthChecker;
        b.replayBufferBytes = replayBufferBytes;
        return b;
    }

    @Override
    public String toString() {
        return "Upstream[" + name + " " + endpoints.size() + " endpoints, " + balancer.name() + "]";
    }

    /** Builds an {@link Upstream}. Scalar setters overwrite, {@code endpoint} appends. */
    public static final class Builder {
        private final String name;
        private final List<Endpoint> endpoints = new ArrayList<>();
        private Balancer balancer = Balancer.roundRobin();
        private int maxAttempts = 2;
        private int maxConnectionsPerIoThread = 256;
        private int maxPendingPerIoThread = 1024;
        private Duration keepAlive = Duration.ofSeconds(4);
        private int maxResponseHeaderBytes = 64 * 1024;
        private boolean http2;
        private boolean resendOnClosedConnection = true;
        private RetryRule retryRule = RetryRule.idempotent(Set.of());
        private RetryBudget retryBudget = RetryBudget.percentOfActive(20, 3);
        private Admission admission = Admission.passive(Duration.ofSeconds(10));
        private Duration attemptTimeout = Duration.ZERO;
        private Duration hedgeDelay = Duration.ZERO;
        private int maxHedges;
        private HealthChecker healthChecker;
        private long replayBufferBytes;

        private Builder(String name) {
            requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name: \"" + name + "\" (expected: a non-blank name)");
            }
            this.name = name;
        }

        public Builder endpoint(Endpoint endpoint) {
            endpoints.add(requireNonNull(endpoint, "endpoint"));
            return this;
        }

        public Builder endpoint(String host, int port) {
            return endpoint(Endpoint.of(host, port));
        }

        public Builder endpoint(String host, int port, int weight) {
            return endpoint(new Endpoint(host, port, weight));
        }

        public Builder balancer(Balancer balancer) {
            this.balancer = requireNonNull(balancer, "balancer");
            return this;
        }

        /** Whether a failed attempt is tried again; see {@link RetryRule}. */
        public Builder retryRule(RetryRule rule) {
            this.retryRule = requireNonNull(rule, "rule");
            return this;
        }

        /** The bound on retries and hedges, shared by every request to this upstream. */
        public Builder retryBudget(RetryBudget budget) {
            this.retryBudget = requireNonNull(budget, "budget");
            return this;
        }

        /** Admits or refuses each attempt before it is sent (circuit breaking). */
        public Builder admission(Admission admission) {
            this.admission = requireNonNull(admission, "admission");
            return this;
        }

        /** How long one attempt may wait for its response head; zero (the default) sets no bound. */
        public Builder attemptTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("attemptTimeout: " + timeout + " (expected: >= 0)");
            }
            this.attemptTimeout = timeout;
            return this;
        }

        /**
         * Sends up to {@code maxHedges} more attempts, each {@code delay} after the last, while none has
         * answered; the first response wins and the others are cancelled. Idempotent, replayable requests only.
         */
        public Builder hedging(Duration delay, int maxHedges) {
            requireNonNull(delay, "delay");
            if (delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException("hedge delay: " + delay + " (expected: > 0)");
            }
            if (maxHedges < 1) {
                throw new IllegalArgumentException("maxHedges: " + maxHedges + " (expected: >= 1)");
            }
            this.hedgeDelay = delay;
            this.maxHedges = maxHedges;
            return this;
        }

        /**
         * Keeps request bodies of up to {@code bytes} in memory so that retries can send them again; bodies of
         * unknown length are read up to the bound and stream on past it. 0 turns it off (the default).
         */
        public Builder replayBuffer(long bytes) {
            if (bytes < 0 || bytes > 64L * 1024 * 1024) {
                throw new IllegalArgumentException("replayBuffer: " + bytes + " (expected: 0-67108864)");
            }
            this.replayBufferBytes = bytes;
            return this;
        }

        /** Watches the endpoints' health and ejects or restores them in the upstream's endpoint group. */
        public Builder healthChecker(HealthChecker checker) {
            this.healthChecker = requireNonNull(checker, "checker");
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder maxConnectionsPerIoThread(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnectionsPerIoThread: " + max + " (expected: >= 1)");
            }
            this.maxConnectionsPerIoThread = max;
            return this;
        }

        public Builder maxPendingPerIoThread(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxPendingPerIoThread: " + max + " (expected: >= 0)");
            }
            this.maxPendingPerIoThread = max;
            return this;
        }

        /**
         * Whether an idempotent request (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) whose body can be sent again
         * goes out once more, on another connection to the same endpoint, when the kept-alive connection it
         * was sent on closes before any response (the upstream closed it while idle, as the request went
         * out). At most twice; on by default, as HTTP clients do. Off for upstreams that must never see a
         * request twice, even an idempotent one: such a request then gets a 502.
         */
        public Builder resendOnClosedConnection(boolean resend) {
            this.resendOnClosedConnection = resend;
            return this;
        }

        /**
         * How long an idle upstream connection is kept for reuse; 4 seconds by default, under the 5 seconds
         * after which common servers (Node.js, Apache httpd) close idle connections, so the edge rarely sends
         * a request on a connection its upstream is closing. (An idempotent request that meets such a close
         * before any response goes out again on another connection.) Set it just under the upstream's own
         * idle timeout to reuse connections longer. Zero keeps none.
         */
        public Builder keepAlive(Duration keepAlive) {
            requireNonNull(keepAlive, "keepAlive");
            if (keepAlive.isNegative()) {
                throw new IllegalArgumentException("keepAlive: " + keepAlive + " (expected: >= 0)");
            }
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Speak HTTP/2 to the endpoints (h2c by prior knowledge) instead of HTTP/1.1: what gRPC services
         * need, trailers included.
         */
        public Builder http2(boolean enabled) {
            this.http2 = enabled;
            return this;
        }

        public Builder maxResponseHeaderBytes(int max) {
            if (max < 1024) {
                throw new IllegalArgumentException("maxResponseHeaderBytes: " + max + " (expected: >= 1024)");
            }
            this.maxResponseHeaderBytes = max;
            return this;
        }

        public Upstream build() {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException(
                        "upstream '" + name + "': no endpoints; call endpoint(...) before build()");
            }
            Set<String> seen = new HashSet<>();
            for (Endpoint endpoint : endpoints) {
                if (!seen.add(endpoint.address())) {
                    throw new IllegalStateException(
                            "upstream '" + name + "': endpoint " + endpoint.address() + " listed twice");
                }
            }
            return new Upstream(this);
        }
    }
}
