package io.edgekit.proxy;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Edge;
import io.edgekit.proxy.internal.server.AcceptGate;
import io.edgekit.proxy.internal.io.BufferPool;
import io.edgekit.proxy.internal.server.EdgeHttpHandler;
import io.edgekit.proxy.internal.server.ListenerLimits;
import io.edgekit.proxy.internal.server.ScanningOpenListener;
import io.undertow.server.protocol.proxy.ProxyProtocolOpenListener;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.edgekit.proxy.internal.server.SniKeyManager;
import java.security.GeneralSecurityException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.xnio.ChannelListener;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;
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
    private final boolean http2Cleartext;
    private final int maxConnectionsPerClient;
    private final Duration headerReadTimeout;
    private final Duration idleTimeout;
    private final ExecutorService offloadExecutor;
    private final EdgeHttpHandler handler;
    private final HttpHandler root;
    private final BufferPool buffers = new BufferPool(16 * 1024, true, 1024);
    private final List<AcceptingChannel<? extends StreamConnection>> acceptors = new ArrayList<>();
    private final List<InetSocketAddress> boundAddresses = new ArrayList<>();
    private XnioWorker worker;
    /** What closes each listener's open connections at shutdown. */
    private final List<Runnable> openListeners = new ArrayList<>();
    /** Reloads changed certificates, off the IO threads. */
    private final ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "edgekit-tls-reload");
        thread.setDaemon(true);
        return thread;
    });

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
        this.http2Cleartext = b.http2Cleartext;
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
        OptionMap http2Options = OptionMap.builder().addAll(serverOptions)
                .set(UndertowOptions.ENABLE_HTTP2, true)
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100)
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, maxHeaderBytes)
                // rapid-reset defence: a client resetting more than 200 streams in 30 s is cut off
                .set(UndertowOptions.MAX_RST_FRAMES_PER_WINDOW, 200)
                .set(UndertowOptions.RST_FRAMES_TIME_WINDOW, 30_000)
                .getMap();
        try {
            for (Listener listener : listeners) {
                HttpOpenListener http = new HttpOpenListener(buffers, serverOptions);
                http.setRootHandler(root);
                openListeners.add(http::closeConnections);
                InetSocketAddress bind = new InetSocketAddress(listener.host, listener.port);
                AcceptingChannel<? extends StreamConnection> channel;
                if (listener.proxyProtocol) {
                    ProxyProtocolOpenListener proxy = new ProxyProtocolOpenListener(new ScanningOpenListener(http,
                            maxConnectionsPerClient, edge.runtime()),
                            null, buffers, serverOptions);
                    channel = created.createStreamConnectionServer(bind, new AcceptGate(proxy, maxConnections,
                            maxConnectionsPerClient, edge.trustedProxies(), edge.runtime()),
                            socketOptions);
                } else if (listener.tls == null) {
                    if (http2Cleartext) {
                        http.setUndertowOptions(http2Options); // h2c by prior knowledge
                    }
                    channel = created.createStreamConnectionServer(bind,
                            new AcceptGate(http, maxConnections, maxConnectionsPerClient, edge.runtime()),
                            socketOptions);
                } else {
                    channel = tlsServer(created, bind, listener.tls, http, http2Options, socketOptions);
                }
                channel.resumeAccepts();
                acceptors.add(channel);
                InetSocketAddress address = channel.getLocalAddress(InetSocketAddress.class);
                boundAddresses.add(address);
                logger.info("edge listening on {}://{}:{}", listener.tls == null ? "http" : "https",
                        address.getHostString(), address.getPort());
            }
        } catch (IOException | GeneralSecurityException e) {
            acceptors.forEach(IoUtils::safeClose);
            acceptors.clear();
            created.shutdownNow();
            throw new UncheckedIOException("cannot listen on " + listeners, e instanceof IOException io ? io
                    : new IOException(e));
        }
        this.worker = created;
        edge.runtime().start(handler.probes(created, buffers)); // components and health checkers
        return this;
    }

    private AcceptingChannel<? extends StreamConnection> tlsServer(XnioWorker worker, InetSocketAddress bind,
            TlsConfig tls, HttpOpenListener http, OptionMap http2Options, OptionMap socketOptions)
            throws IOException, GeneralSecurityException {
        SniKeyManager keys = new SniKeyManager(tls.sources);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {keys}, null, null);
        if (!tls.reloadEvery.isZero()) {
            long millis = tls.reloadEvery.toMillis();
            reloader.scheduleWithFixedDelay(keys::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
        }
        UndertowXnioSsl ssl = new UndertowXnioSsl(worker.getXnio(), OptionMap.EMPTY, buffers, context);
        OptionMap.Builder options = OptionMap.builder().addAll(socketOptions)
                .set(Options.SSL_ENABLED, true)
                .set(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.NOT_REQUESTED)
                .set(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(tls.protocols));
        if (!tls.cipherSuites.isEmpty()) {
            options.set(Options.SSL_ENABLED_CIPHER_SUITES, Sequence.of(tls.cipherSuites));
        }
        ChannelListener<StreamConnection> open = http;
        if (tls.http2) {
            Http2OpenListener h2 = new Http2OpenListener(buffers, http2Options, "h2");
            h2.setRootHandler(root);
            AlpnOpenListener alpn = new AlpnOpenListener(buffers, http2Options, "http/1.1", http);
            alpn.addProtocol(Http2OpenListener.HTTP2, h2, 10);
            openListeners.add(h2::closeConnections);
            open = alpn;
        }
        return ssl.createSslConnectionServer(worker, bind,
                new AcceptGate(open, maxConnections, maxConnectionsPerClient, edge.runtime()),
                options.getMap());
    }

    /** The address of listener {@code index} (in the order added), as bound. */
    public synchronized InetSocketAddress address(int index) {
        return boundAddresses.get(index);
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

    /**
     * The server's I/O buffers on loan now: to connections reading a request, responses being written,
     * bodies and tunnels being pumped. Once every connection is closed it comes back to zero; a figure
     * that keeps growing is a leak.
     */
    public long buffersOnLoan() {
        return buffers.onLoan();
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
        edge.runtime().close(); // components and health checkers, in reverse order
        openListeners.forEach(Runnable::run);
        reloader.shutdownNow();
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
