package io.edgekit.proxy;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Edge;
import io.edgekit.proxy.internal.server.UndertowRuntime;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs an {@link Edge} on Undertow's server and client cores: HTTP/1.1 listeners in front, the
 * non-blocking client behind, both on the same IO threads. No Undertow handler chain is wrapped
 * around the edge (no per-request Host-validating handler). Start with {@link #start()}, which also
 * starts the edge's components and health checkers; {@link #shutdown(Duration)} stops accepting, lets
 * requests in flight finish up to a deadline, closes the components in reverse order, then closes
 * everything. Thread-safe.
 */
public final class EdgeServer implements AutoCloseable {
    private final Edge edge;
    private final UndertowRuntime runtime;

    private EdgeServer(Builder b) {
        this.edge = b.edge;
        List<UndertowRuntime.ListenerSpec> specs = new ArrayList<>();
        for (Listener listener : b.listeners) {
            specs.add(new UndertowRuntime.ListenerSpec(listener.host, listener.port,
                    listener.tls == null ? null : listener.tls.settings(), listener.proxyProtocol));
        }
        this.runtime = new UndertowRuntime(edge, specs, new UndertowRuntime.Settings(b.ioThreads, b.maxHeaderBytes,
                b.maxHeaders, b.headerReadTimeout, b.idleTimeout, b.maxUrlLength, b.http2Cleartext, b.maxConnections,
                b.maxConnectionsPerClient, List.copyOf(b.allowedHosts), b.offloadThreads, b.offloadQueue));
    }

    public static Builder builder(Edge edge) {
        return new Builder(edge);
    }

    /**
     * The edge as an Undertow handler, for an Undertow application that mounts it itself. Requests reach
     * the engine on the IO thread; the application's listener options apply. The edge's components and
     * health checkers are not started this way: only {@link #start()} starts them.
     */
    public static HttpHandler httpHandler(Edge edge) {
        return UndertowRuntime.httpHandler(edge, MAX_IO_THREADS);
    }

    /** Upper bound on the IO threads of an Undertow server the edge is mounted in. */
    private static final int MAX_IO_THREADS = 1024;

    public Edge edge() {
        return edge;
    }

    /** Binds every listener, starts the edge's components and health checkers, and starts serving. */
    public EdgeServer start() {
        runtime.start();
        return this;
    }

    /** The address of listener {@code index} (in the order added), as bound. */
    public InetSocketAddress address(int index) {
        return runtime.addresses().get(index);
    }

    /** The port of the first listener, as bound (useful with port 0). */
    public int port() {
        return address().getPort();
    }

    public InetSocketAddress address() {
        List<InetSocketAddress> bound = runtime.addresses();
        if (bound.isEmpty()) {
            throw new IllegalStateException("server not started");
        }
        return bound.get(0);
    }

    /**
     * The server's I/O buffers on loan now: to connections reading a request, responses being written,
     * bodies and tunnels being pumped. Once every connection is closed it comes back to zero; a figure
     * that keeps growing is a leak.
     */
    public long buffersOnLoan() {
        return runtime.buffersOnLoan();
    }

    /** Requests the edge is handling now: from the head's arrival to the response's last byte or failure. */
    public int inFlight() {
        return runtime.inFlight();
    }

    /** Client connections open now, on every listener. */
    public int openConnections() {
        return runtime.openConnections();
    }

    /** Upstream connections open now, busy and idle. */
    public int openUpstreamConnections() {
        return runtime.openUpstreamConnections();
    }

    /**
     * Graceful shutdown: stops accepting connections, answers new requests on open connections with
     * 503, lets requests in flight finish for up to {@code drain}, closes the edge's components, then
     * closes every connection and the IO threads. Returns true if every request finished in time.
     */
    public boolean shutdown(Duration drain) {
        return runtime.shutdown(drain);
    }

    /**
     * Blocks until the server has shut down: by {@link #shutdown} or {@link #close} from another thread,
     * or by the hook {@link #shutdownOnExit} registers. A {@code main} can end with it; it returns at once
     * when the server failed to start.
     */
    public void awaitShutdown() throws InterruptedException {
        while (!runtime.awaitShutdown(Duration.ofDays(1))) {
            // waits on
        }
    }

    /** As {@link #awaitShutdown()}, for at most {@code timeout}; true when the server has shut down. */
    public boolean awaitShutdown(Duration timeout) throws InterruptedException {
        return runtime.awaitShutdown(timeout);
    }

    /**
     * Shuts the server down gracefully, draining for up to {@code drain}, when the JVM exits (Ctrl-C,
     * SIGTERM, the end of {@code main}). Returns this server.
     */
    public EdgeServer shutdownOnExit(Duration drain) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(drain), "edgekit-shutdown"));
        return this;
    }

    /** Shuts down with a 10 second drain. */
    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }

    private record Listener(String host, int port, TlsConfig tls, boolean proxyProtocol) {
    }

    /** Builds an {@link EdgeServer}. Scalar setters overwrite; {@code listen} appends. */
    public static final class Builder {
        private final Edge edge;
        private final List<Listener> listeners = new ArrayList<>();
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int maxHeaderBytes = 64 * 1024;
        private int maxHeaders = 100;
        private Duration headerReadTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int maxUrlLength = 8192;
        private boolean http2Cleartext;
        private int maxConnections = 10_000;
        private int maxConnectionsPerClient = 256;
        private final List<String> allowedHosts = new ArrayList<>();
        private int offloadThreads = 4;
        private int offloadQueue = 1024;

        private Builder(Edge edge) {
            this.edge = requireNonNull(edge, "edge");
        }

        /** Adds an HTTP/1.1 listener; port 0 picks a free port. */
        public Builder listen(String host, int port) {
            requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
            }
            listeners.add(new Listener(host, port, null, false));
            return this;
        }

        /**
         * Adds an HTTP/1.1 listener behind a load balancer that speaks the PROXY protocol (v1 or v2):
         * only the edge's trusted proxies may connect, and the client address comes from the PROXY
         * header (then, as everywhere, forwarding headers are believed only from trusted proxies).
         */
        public Builder listenWithProxyProtocol(String host, int port) {
            requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
            }
            listeners.add(new Listener(host, port, null, true));
            return this;
        }

        /** Adds an HTTPS listener (HTTP/1.1, and HTTP/2 by ALPN unless the config says not); port 0 picks one. */
        public Builder listenTls(String host, int port, TlsConfig tls) {
            requireNonNull(host, "host");
            requireNonNull(tls, "tls");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
            }
            listeners.add(new Listener(host, port, tls, false));
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            if (ioThreads < 1) {
                throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 1)");
            }
            this.ioThreads = ioThreads;
            return this;
        }

        /** The most bytes a request's header fields may have; larger ones get 431. */
        public Builder maxHeaderBytes(int maxHeaderBytes) {
            if (maxHeaderBytes < 1024) {
                throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: >= 1024)");
            }
            this.maxHeaderBytes = maxHeaderBytes;
            return this;
        }

        /**
         * Accept HTTP/2 without TLS on the plain listeners, by prior knowledge (h2c), with the same
         * stream and reset limits as over TLS. Off by default: the h2 preface is then refused.
         */
        public Builder http2Cleartext(boolean enabled) {
            this.http2Cleartext = enabled;
            return this;
        }

        /** The longest request target (path and query) accepted; longer ones get 414. */
        public Builder maxUrlLength(int maxUrlLength) {
            if (maxUrlLength < 64) {
                throw new IllegalArgumentException("maxUrlLength: " + maxUrlLength + " (expected: >= 64)");
            }
            this.maxUrlLength = maxUrlLength;
            return this;
        }

        /** Client connections open at once, over all listeners' clients; beyond it, 503 and a close. */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * Connections open at once from one client address; beyond it, 429 and a close. On a PROXY protocol
         * listener the client is the one its header names, counted once the header was read.
         */
        public Builder maxConnectionsPerClient(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnectionsPerClient: " + max + " (expected: >= 1)");
            }
            this.maxConnectionsPerClient = max;
            return this;
        }

        /**
         * Host names the listeners serve ({@code api.example.com} or {@code *.example.com}); requests
         * for any other Host get 421. By default every host is served.
         */
        public Builder allowedHosts(String... hosts) {
            for (String host : hosts) {
                allowedHosts.add(requireNonNull(host, "host"));
            }
            return this;
        }

        /** The most header fields a request may have; more get 431. */
        public Builder maxHeaders(int maxHeaders) {
            if (maxHeaders < 1) {
                throw new IllegalArgumentException("maxHeaders: " + maxHeaders + " (expected: >= 1)");
            }
            this.maxHeaders = maxHeaders;
            return this;
        }

        /** How long a client may take to send a request head (against slow-header clients). */
        public Builder headerReadTimeout(Duration timeout) {
            this.headerReadTimeout = positive("headerReadTimeout", timeout);
            return this;
        }

        /** How long a keep-alive client connection may sit without a request. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive("idleTimeout", timeout);
            return this;
        }

        /** Threads and queue of the bounded executor behind {@code Exchange.offload}. */
        public Builder offload(int threads, int queue) {
            if (threads < 1 || queue < 1) {
                throw new IllegalArgumentException("offload: " + threads + " threads, " + queue
                        + " queue (expected: >= 1 each)");
            }
            this.offloadThreads = threads;
            this.offloadQueue = queue;
            return this;
        }

        private static Duration positive(String name, Duration value) {
            requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }

        public EdgeServer build() {
            if (listeners.isEmpty()) {
                throw new IllegalStateException("edge server: no listener; call listen(host, port) before build()");
            }
            return new EdgeServer(this);
        }
    }
}
