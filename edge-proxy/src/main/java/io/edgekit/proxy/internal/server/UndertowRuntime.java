package io.edgekit.proxy.internal.server;

import io.edgekit.core.Edge;
import io.edgekit.proxy.internal.io.BufferPool;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.undertow.server.protocol.proxy.ProxyProtocolOpenListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The Undertow/XNIO side of a running edge: the IO threads, the listeners (plain, PROXY protocol, TLS with
 * ALPN and HTTP/2), the connection gates, the buffer pool, the offload executor and certificate reloads;
 * it starts the edge's components with a probe client and stops everything in order. Thread-safe.
 */
public final class UndertowRuntime {
    private static final Logger logger = LoggerFactory.getLogger("io.edgekit.proxy.EdgeServer");

    /** One listener to bind: TLS settings null for plain HTTP. */
    public record ListenerSpec(String host, int port, TlsSettings tls, boolean proxyProtocol) {
    }

    /** A TLS listener's settings. */
    public record TlsSettings(List<SniKeyManager.Source> sources, List<String> protocols, List<String> cipherSuites,
            Duration reloadEvery, boolean http2, ContextFactory contexts, int sessionTimeoutSeconds, int sessionCacheSize) {
    }

    /** Makes a listener's server context from the edge's key manager (the TLS engine's side). */
    @FunctionalInterface
    public interface ContextFactory {
        SSLContext serverContext(javax.net.ssl.X509ExtendedKeyManager keys) throws GeneralSecurityException;
    }

    /** The listeners' limits and the server's threads. */
    public record Settings(int ioThreads, int maxHeaderBytes, int maxHeaders, Duration headerReadTimeout,
            Duration idleTimeout, int maxUrlLength, boolean http2Cleartext, int maxConnections,
            int maxConnectionsPerClient, List<String> allowedHosts, int offloadThreads, int offloadQueue) {
    }

    private final Edge edge;
    private final List<ListenerSpec> listeners;
    private final Settings settings;
    private final ExecutorService offloadExecutor;
    private final EdgeHttpHandler handler;
    private final ListenerLimits limits;
    private final List<AcceptGate> gates = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Open until the server has shut down (or failed to start). */
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
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

    public UndertowRuntime(Edge edge, List<ListenerSpec> listeners, Settings settings) {
        this.edge = edge;
        this.listeners = List.copyOf(listeners);
        this.settings = settings;
        this.offloadExecutor = new ThreadPoolExecutor(settings.offloadThreads(), settings.offloadThreads(), 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(settings.offloadQueue()), r -> {
                    Thread thread = new Thread(r, "edgekit-offload");
                    thread.setDaemon(true);
                    return thread;
                });
        this.limits = new ListenerLimits(settings.maxUrlLength(), settings.maxHeaderBytes(), settings.maxHeaders(),
                settings.allowedHosts());
        this.handler = new EdgeHttpHandler(edge, settings.ioThreads(), offloadExecutor, limits);
        this.root = new HttpContinueReadHandler(handler);
    }

    /** The edge as an Undertow handler, for an Undertow server of {@code maxIoThreads} IO threads at most. */
    public static HttpHandler httpHandler(Edge edge, int maxIoThreads) {
        return new HttpContinueReadHandler(new EdgeHttpHandler(edge, maxIoThreads,
                java.util.concurrent.ForkJoinPool.commonPool(), ListenerLimits.DEFAULT));
    }

    /** Binds every listener and starts serving. */
    public synchronized void start() {
        if (worker != null) {
            throw new IllegalStateException("server already started");
        }
        XnioWorker created;
        try {
            created = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, settings.ioThreads())
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
                .set(UndertowOptions.MAX_HEADER_SIZE, 2 * settings.maxHeaderBytes() + 16 * 1024)
                .set(UndertowOptions.MAX_HEADERS, 2 * settings.maxHeaders())
                // body limits are the edge's own, per route (413 with a problem body)
                .set(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) settings.headerReadTimeout().toMillis())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) settings.idleTimeout().toMillis())
                .getMap();
        OptionMap socketOptions = OptionMap.builder()
                .set(Options.TCP_NODELAY, true)
                .set(Options.REUSE_ADDRESSES, true)
                .set(Options.BACKLOG, 1024)
                .getMap();
        OptionMap http2Options = OptionMap.builder().addAll(serverOptions)
                .set(UndertowOptions.ENABLE_HTTP2, true)
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100)
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, settings.maxHeaderBytes())
                // rapid-reset defence: a client resetting more than 200 streams in 30 s is cut off
                .set(UndertowOptions.MAX_RST_FRAMES_PER_WINDOW, 200)
                .set(UndertowOptions.RST_FRAMES_TIME_WINDOW, 30_000)
                .getMap();
        ListenerSpec current = null;
        try {
            for (ListenerSpec listener : listeners) {
                current = listener;
                HttpOpenListener http = new HttpOpenListener(buffers, serverOptions);
                http.setRootHandler(root);
                openListeners.add(http::closeConnections);
                InetSocketAddress bind = new InetSocketAddress(listener.host(), listener.port());
                AcceptingChannel<? extends StreamConnection> channel;
                if (listener.proxyProtocol()) {
                    ProxyProtocolOpenListener proxy = new ProxyProtocolOpenListener(new ScanningOpenListener(http,
                            settings.maxConnectionsPerClient(), edge.runtime(), limits),
                            null, buffers, serverOptions);
                    channel = created.createStreamConnectionServer(bind, gate(new AcceptGate(proxy, settings.maxConnections(),
                            settings.maxConnectionsPerClient(), edge.trustedProxies(), edge.runtime(), limits)),
                            socketOptions);
                } else if (listener.tls() == null) {
                    if (settings.http2Cleartext()) {
                        http.setUndertowOptions(http2Options); // h2c by prior knowledge
                    }
                    channel = created.createStreamConnectionServer(bind,
                            gate(new AcceptGate(http, settings.maxConnections(), settings.maxConnectionsPerClient(), edge.runtime(), limits)),
                            socketOptions);
                } else {
                    channel = tlsServer(created, bind, listener.tls(), http, http2Options, socketOptions);
                }
                channel.resumeAccepts();
                acceptors.add(channel);
                InetSocketAddress address = channel.getLocalAddress(InetSocketAddress.class);
                boundAddresses.add(address);
                logger.info("edge listening on {}://{}:{}", listener.tls() == null ? "http" : "https",
                        address.getHostString(), address.getPort());
            }
        } catch (IOException | GeneralSecurityException e) {
            acceptors.forEach(IoUtils::safeClose);
            acceptors.clear();
            created.shutdownNow();
            stopped.countDown();
            throw new UncheckedIOException("cannot listen on " + (current.tls() == null ? "http" : "https") + "://"
                    + current.host() + ":" + current.port() + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        this.worker = created;
        edge.runtime().start(handler.probes(created, buffers)); // components and health checkers
    }


    private AcceptingChannel<? extends StreamConnection> tlsServer(XnioWorker worker, InetSocketAddress bind,
            TlsSettings tls, HttpOpenListener http, OptionMap http2Options, OptionMap socketOptions)
            throws IOException, GeneralSecurityException {
        SniKeyManager keys = new SniKeyManager(tls.sources());
        SSLContext context = tls.contexts().serverContext(keys);
        context.getServerSessionContext().setSessionTimeout(tls.sessionTimeoutSeconds());
        context.getServerSessionContext().setSessionCacheSize(tls.sessionCacheSize());
        if (!tls.reloadEvery().isZero()) {
            long millis = tls.reloadEvery().toMillis();
            reloader.scheduleWithFixedDelay(keys::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
        }
        UndertowXnioSsl ssl = new UndertowXnioSsl(worker.getXnio(), OptionMap.EMPTY, buffers, context);
        OptionMap.Builder options = OptionMap.builder().addAll(socketOptions)
                .set(Options.SSL_ENABLED, true)
                .set(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.NOT_REQUESTED)
                .set(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(tls.protocols()));
        if (!tls.cipherSuites().isEmpty()) {
            options.set(Options.SSL_ENABLED_CIPHER_SUITES, Sequence.of(tls.cipherSuites()));
        }
        ChannelListener<StreamConnection> open = http;
        if (tls.http2()) {
            Http2OpenListener h2 = new Http2OpenListener(buffers, http2Options, "h2");
            h2.setRootHandler(root);
            AlpnOpenListener alpn = new AlpnOpenListener(buffers, http2Options, "http/1.1", http);
            alpn.addProtocol(Http2OpenListener.HTTP2, h2, 10);
            openListeners.add(h2::closeConnections);
            open = alpn;
        }
        return ssl.createSslConnectionServer(worker, bind,
                gate(new AcceptGate(open, settings.maxConnections(), settings.maxConnectionsPerClient(), edge.runtime(), limits)),
                options.getMap());
    }

    /** The addresses as bound, in the order the listeners were added. */
    public synchronized List<InetSocketAddress> addresses() {
        return List.copyOf(boundAddresses);
    }

    /** The server's I/O buffers on loan now. */
    /** Client connections open now, on every listener. */
    public int openConnections() {
        int open = 0;
        for (AcceptGate gate : gates) {
            open += gate.openConnections();
        }
        return open;
    }

    private AcceptGate gate(AcceptGate gate) {
        gates.add(gate);
        return gate;
    }

    public int inFlight() {
        return handler.inFlight();
    }

    public long buffersOnLoan() {
        return buffers.onLoan();
    }

    /** Upstream connections open now, busy and idle. */
    public int openUpstreamConnections() {
        return handler.openUpstreamConnections();
    }

    /** Stops accepting, drains for up to {@code drain}, closes the components, then every connection. */
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
        stopped.countDown();
        return drained;
    }

    /** Waits until the server has shut down; false when {@code timeout} passed first. */
    public boolean awaitShutdown(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
