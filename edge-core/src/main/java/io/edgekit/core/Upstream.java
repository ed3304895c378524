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

    private Upstream(Builder b) {
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
     * How many endpoints a request may try when connecting fails (nothing was sent, so another
     * endpoint is always safe). Retries after a request was sent belong to edge-balance's retry rules.
     */
    public int maxAttempts() {
        return maxAttempts;
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
