package io.edgekit.proxy;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Edge;
import io.edgekit.proxy.internal.AcceptGate;
import io.edgekit.proxy.internal.EdgeHttpHandler;
import io.edgekit.proxy.internal.ListenerLimits;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * Runs an {@link Edge} on Undertow's server and client cores: HTTP/1.1 listeners in front, the
 * non-blocking client behind, both on the same IO threads. No Undertow handler chain is wrapped
 * around the edge (no per-request Host-validating handler). Start with {@link #start()}; {@link #shutdown(Duration)} stops accepting,
 * lets requests in flight finish up to a deadline, then closes everything. Thread-safe.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(EdgeServer.class);

    private final Edge edge;
    private final List<Listener> listeners;
    private final int ioThreads;
    private final int maxHeaderBytes;
    private final int maxHeaders;
    private final int maxConnections;
    private final int maxConnectionsPerClient;
    private final Duration headerReadTimeout;
    private final Duration idleTimeout;
    private final ExecutorService offloadExecutor;
    private final EdgeHttpHandler handler;
    private final HttpHandler root;
    private final ByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024, -1, 4);
    private final List<AcceptingChannel<StreamConnection>> acceptors = new ArrayList<>();
    private final List<InetSocketAddress> boundAddresses = new ArrayList<>();
    private XnioWorker worker;
    private HttpOpenListener openListener;

    private EdgeServer(Builder b) {
        this.edge = b.edge;
        this.listeners = List.copyOf(b.listeners);
        this.ioThreads = b.ioThreads;
        this.maxHeaderBytes = b.maxHeaderBytes;
        this.maxHeaders = b.maxHeaders;
        this.headerReadTimeout = b.headerReadTimeout;
        this.idleTimeout = b.idleTimeout;
        this.offloadExecutor = new ThreadPoolExecutor(b.offloadThreads, b.offloadThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(b.offloadQueue), r -> {
                    Thread thread = new Thread(r, "edgekit-offload");
                    thread.setDaemon(true);
                    return thread;
                });
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerClient = b.maxConnectionsPerClient;
        this.handler = new EdgeHttpHandler(edge, ioThreads, offloadExecutor,
                new ListenerLimits(b.maxUrlLength, b.maxHeaderBytes, b.maxHeaders, b.allowedHosts));
        this.root = new HttpContinueReadHandler(handler);
    }

    public static Builder builder(Edge edge) {
        return new Builder(edge);
    }

    /**
     * The edge as an Undertow handler, for an Undertow application that mounts it itself. Requests reach
     * the engine on the IO thread; the application's listener options apply.
     */
    public static HttpHandler httpHandler(Edge edge) {
        return new HttpContinueReadHandler(new EdgeHttpHandler(edge, MAX_IO_THREADS,
                java.util.concurrent.ForkJoinPool.commonPool(), ListenerLimits.DEFAULT));
    }

    /** Upper bound on the IO threads of an Undertow server the edge is mounted in. */
    private static final int MAX_IO_THREADS = 1024;

    public Edge edge() {
        return edge;
    }

    /** Binds every listener and starts serving. */
    public synchronized EdgeServer start() {
        if (worker != null) {
            throw new IllegalStateException("server already started");
        }
        XnioWorker created;
        try {
            created = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.WORKER_TASK_CORE_THREADS, 1)
                    .set(Options.WORKER_TASK_MAX_THREADS, 1)
                    .set(Options.WORKER_NAME, "edgekit")
                    .set(Options.TCP_NODELAY, true)
                    .getMap());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start IO threads", e);
        }
        OptionMap serverOptions = OptionMap.builder()
                // the parser's strict settings, pinned: the edge canonicalises the raw path itself
                .set(UndertowOptions.DECODE_URL, false)
                .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, false)
                .set(UndertowOptions.ALLOW_UNKNOWN_PROTOCOLS, false)
                .set(UndertowOptions.ENABLE_HTTP2, false)
                .set(UndertowOptions.ALLOW_ENCODED_SLASH, true)
                // the edge answers its own limits (414, 431); Undertow's, higher, only close the connection
                .set(UndertowOptions.MAX_HEADER_SIZE, 2 * maxHeaderBytes + 16 * 1024)
                .set(UndertowOptions.MAX_HEADERS, 2 * maxHeaders)
                // body limits are the edge's own, per route (413 with a problem body)
                .set(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) headerReadTimeout.toMillis())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) idleTimeout.toMillis())
                .getMap();
        OptionMap socketOptions = OptionMap.builder()
                .set(Options.TCP_NODELAY, true)
                .set(Options.REUSE_ADDRESSES, true)
                .set(Options.BACKLOG, 1024)
                .getMap();
        HttpOpenListener openListener = new HttpOpenListener(buffers, serverOptions);
        openListener.setRootHandler(root);
        try {
            for (Listener listener : listeners) {
                AcceptingChannel<StreamConnection> channel = created.createStreamConnectionServer(
                        new InetSocketAddress(listener.host, listener.port),
                        new AcceptGate(openListener, maxConnections, maxConnectionsPerClient), socketOptions);
                channel.resumeAccepts();
                acceptors.add(channel);
                InetSocketAddress address = channel.getLocalAddress(InetSocketAddress.class);
                boundAddresses.add(address);
                logger.info("edge listening on http://{}:{}", address.getHostString(), address.getPort());
            }
        } catch (IOException e) {
            acceptors.forEach(IoUtils::safeClose);
            acceptors.clear();
            created.shutdownNow();
            throw new UncheckedIOException("cannot listen on " + listeners, e);
        }
        this.openListener = openListener;
        this.worker = created;
        return this;
    }

    /** The port of the first listener, as bound (useful with port 0). */
    public int port() {
        return address().getPort();
    }

    public synchronized InetSocketAddress address() {
        if (boundAddresses.isEmpty()) {
            throw new IllegalStateException("server not started");
        }
        return boundAddresses.get(0);
    }

    /** Upstream connections open now, busy and idle. */
    public int openUpstreamConnections() {
        return handler.openUpstreamConnections();
    }

    /**
     * Graceful shutdown: stops accepting connections, answers new requests on open connections with
     * 503, lets requests in flight finish for up to {@code drain}, then closes every connection and the
     * IO threads. Returns true if every request finished in time.
     */
    public boolean shutdown(Duration drain) {
        XnioWorker stopping;
        synchronized (this) {
            stopping = worker;
            if (stopping == null) {
                return true;
            }
            worker = null;
        }
        acceptors.forEach(IoUtils::safeClose);
        boolean drained;
        try {
            drained = handler.drain(Math.max(0, drain.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        if (!drained) {
            logger.warn("shutdown: {} requests still in flight after {} ms; closing their connections",
                    handler.inFlight(), drain.toMillis());
        }
        openListener.closeConnections();
        stopping.shutdownNow();
        try {
            stopping.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        offloadExecutor.shutdownNow();
        logger.info("edge stopped");
        return drained;
    }

    /** Shuts down with a 10 second drain. */
    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }

    private record Listener(String host, int port) {
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
            listeners.add(new Listener(host, port));
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

        /** Connections open at once from one client address; beyond it, 429 and a close. */
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
