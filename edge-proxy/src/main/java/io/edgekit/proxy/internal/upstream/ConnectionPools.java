package io.edgekit.proxy.internal.upstream;

import io.edgekit.core.Endpoint;
import io.edgekit.core.Ticker;
import io.edgekit.core.Upstream;
import io.edgekit.core.UpstreamException;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.UndertowClient;
import io.undertow.connector.ByteBufferPool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * Keep-alive connections to upstream endpoints, one pool per endpoint and IO thread: a request borrows
 * a connection owned by its own IO thread, so pools need no locks and bytes never change threads.
 * Each pool is bounded (connections open, requests waiting), closes idle connections after the
 * upstream's keep-alive, and is keyed by endpoint address so it survives route swaps.
 */
public final class ConnectionPools {
    private static final Logger logger = LoggerFactory.getLogger(ConnectionPools.class);
    private static final OptionMap CLIENT_OPTIONS = OptionMap.builder()
            .set(Options.TCP_NODELAY, true)
            .getMap();

    /** Receives a connection, or why there is none. */
    interface Callback {
        void connected(Pooled connection, boolean reused);

        void failed(UpstreamException cause);
    }

    private static final int MAX_SHORTCUTS = 4096;

    /** By address: endpoints that differ only in weight share their connections. */
    private final ConcurrentHashMap<String, EndpointPools> pools = new ConcurrentHashMap<>();
    /**
     * Per IO thread, by thread number, the pool each endpoint instance the balancer handed out maps to,
     * so a request finds its pool without building an address string or taking a lock. Each slot is
     * touched by its own thread only.
     */
    private final IdentityHashMap<Endpoint, ThreadPool>[] h1Shortcuts;
    private final IdentityHashMap<Endpoint, ThreadPool>[] h2Shortcuts;
    private final int ioThreads;
    private final Ticker ticker;

    @SuppressWarnings("unchecked")
    public ConnectionPools(int ioThreads, Ticker ticker) {
        this.ioThreads = ioThreads;
        this.ticker = ticker;
        this.h1Shortcuts = new IdentityHashMap[ioThreads];
        this.h2Shortcuts = new IdentityHashMap[ioThreads];
    }

    /** Borrows a connection to {@code endpoint} owned by {@code ioThread}; call from that thread. */
    void acquire(Endpoint endpoint, Upstream upstream, XnioIoThread ioThread, ByteBufferPool buffers,
            Duration connectTimeout, Callback callback) {
        int n = ioThread.getNumber();
        boolean http2 = upstream.http2();
        IdentityHashMap<Endpoint, ThreadPool>[] shortcuts = http2 ? h2Shortcuts : h1Shortcuts;
        IdentityHashMap<Endpoint, ThreadPool> shortcut = shortcuts[n];
        if (shortcut == null) {
            shortcut = new IdentityHashMap<>();
            shortcuts[n] = shortcut;
        }
        ThreadPool pool = shortcut.get(endpoint);
        if (pool == null) {
            String key = http2 ? "h2c-prior://" + endpoint.address() : endpoint.address();
            pool = pools.computeIfAbsent(key, a -> new EndpointPools(endpoint, http2, ioThreads)).forThread(ioThread);
            if (shortcut.size() >= MAX_SHORTCUTS) {
                shortcut.clear(); // endpoints come and go with configurations: keep the shortcut small
            }
            shortcut.put(endpoint, pool);
        }
        pool.acquire(upstream, buffers, connectTimeout, callback);
    }

    /**
     * Closes every connection to {@code endpoint}, busy ones too, each on its own IO thread: the endpoint left
     * its upstream (removed, or drained past its deadline).
     */
    public void closeEndpoint(Endpoint endpoint) {
        for (String key : new String[] {endpoint.address(), "h2c-prior://" + endpoint.address()}) {
            EndpointPools pools = this.pools.get(key);
            if (pools == null) {
                continue;
            }
            for (ThreadPool pool : pools.threads) {
                if (pool != null) {
                    pool.ioThread.execute(pool::closeAll);
                }
            }
        }
    }

    /** Open connections across all pools, busy and idle: for tests and metrics. */
    public int openConnections() {
        int open = 0;
        for (EndpointPools p : pools.values()) {
            for (ThreadPool t : p.threads) {
                if (t != null) {
                    open += t.open;
                }
            }
        }
        return open;
    }

    /** The pools of one endpoint, one per IO thread. */
    private final class EndpointPools {
        final Endpoint endpoint;
        final boolean http2;
        final ThreadPool[] threads;

        EndpointPools(Endpoint endpoint, boolean http2, int ioThreads) {
            this.endpoint = endpoint;
            this.http2 = http2;
            this.threads = new ThreadPool[ioThreads];
        }

        /** Called on {@code ioThread} only, so each slot has one reader and writer: no lock. */
        ThreadPool forThread(XnioIoThread ioThread) {
            int n = ioThread.getNumber();
            ThreadPool pool = threads[n];
            if (pool == null) {
                pool = new ThreadPool(this, ioThread);
                threads[n] = pool;
            }
            return pool;
        }
    }

    /** One endpoint's connections owned by one IO thread. Touched only from that thread. */
    final class ThreadPool {
        private final EndpointPools endpoint;
        private final XnioIoThread ioThread;
        private final ArrayDeque<Pooled> idle = new ArrayDeque<>();
        private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        /** Every open connection of this pool, busy or idle. */
        private final java.util.Set<Pooled> live = new java.util.HashSet<>();
        private int open;
        private boolean sweepScheduled;
        private Upstream upstream;
        private ByteBufferPool buffers;

        ThreadPool(EndpointPools endpoint, XnioIoThread ioThread) {
            this.endpoint = endpoint;
            this.ioThread = ioThread;
        }

        void acquire(Upstream upstream, ByteBufferPool buffers, Duration connectTimeout, Callback callback) {
            this.upstream = upstream;
            this.buffers = buffers;
            long now = ticker.nanos();
            long keepAlive = upstream.keepAlive().toNanos();
            Pooled pooled;
            while ((pooled = idle.pollLast()) != null) {
                if (pooled.isOpen() && now - pooled.idleSince < keepAlive) {
                    callback.connected(pooled, true);
                    return;
                }
                pooled.close();
            }
            if (open < upstream.maxConnectionsPerIoThread()) {
                connect(connectTimeout, callback);
                return;
            }
            if (waiters.size() < upstream.maxPendingPerIoThread()) {
                Waiter waiter = new Waiter(callback, connectTimeout);
                waiters.addLast(waiter);
                if (!connectTimeout.isZero()) {
                    waiter.timer = ioThread.executeAfter(() -> {
                        if (waiters.remove(waiter)) {
                            callback.failed(UpstreamException.overloaded("connection pool full"));
                        }
                    }, connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
                }
                return;
            }
            callback.failed(UpstreamException.overloaded("connection pool full"));
        }

        private void connect(Duration connectTimeout, Callback callback) {
            open++;
            ConnectAttempt attempt = new ConnectAttempt(callback);
            if (!connectTimeout.isZero()) {
                attempt.timer = ioThread.executeAfter(attempt::timedOut, connectTimeout.toNanos(),
                        TimeUnit.NANOSECONDS);
            }
            // a host name is looked up off the IO thread; both clients are then given the address
            Resolver.resolve(ioThread, endpoint.endpoint, new Resolver.Callback() {
                @Override
                public void resolved(InetSocketAddress address) {
                    if (endpoint.http2) {
                        connectHttp2(address, attempt);
                    } else {
                        Http1Connection.connect(ioThread, address, CLIENT_OPTIONS, attempt);
                    }
                }

                @Override
                public void failed(IOException cause) {
                    attempt.failed(cause);
                }
            });
        }

        /** Undertow's h2c client, given an address so that it has no name to look up on the IO thread. */
        private void connectHttp2(InetSocketAddress address, ConnectAttempt attempt) {
            String ip = address.getAddress().getHostAddress();
            int scope = ip.indexOf('%');
            URI uri;
            try {
                uri = URI.create("h2c-prior://" + Endpoint.of(scope < 0 ? ip : ip.substring(0, scope),
                        address.getPort()).address());
            } catch (IllegalArgumentException e) {
                attempt.failed(new IOException("no usable address for " + endpoint.endpoint, e));
                return;
            }
            UndertowClient.getInstance().connect(attempt, null, uri, ioThread, null, buffers, CLIENT_OPTIONS);
        }

        /** Gives a connection back: kept for the next request if {@code reusable}, else closed. */
        void release(Pooled pooled, boolean reusable) {
            if (!reusable || !pooled.isOpen() || (pooled.http1 != null && !pooled.http1.recycle())) {
                pooled.close();
                return;
            }
            Waiter waiter = waiters.pollFirst();
            if (waiter != null) {
                waiter.cancelTimer();
                waiter.callback.connected(pooled, true);
                return;
            }
            pooled.idleSince = ticker.nanos();
            idle.addLast(pooled);
            scheduleSweep();
        }

        /** Closes every idle connection of this pool. */
        void dropIdle() {
            Pooled pooled;
            while ((pooled = idle.pollFirst()) != null) {
                pooled.close();
            }
        }

        /** Closes every connection of this pool, busy ones too (their requests fail). */
        void closeAll() {
            dropIdle();
            for (Pooled pooled : new ArrayList<>(live)) {
                if (pooled.http1 != null) {
                    pooled.http1.abort("the endpoint left its upstream");
                } else {
                    pooled.close();
                }
            }
        }

        private void closed(Pooled pooled) {
            live.remove(pooled);
            open--;
            idle.remove(pooled);
            serveWaiter();
        }

        private void serveWaiter() {
            if (!waiters.isEmpty() && open < upstream.maxConnectionsPerIoThread()) {
                Waiter waiter = waiters.pollFirst();
                waiter.cancelTimer();
                connect(waiter.connectTimeout, waiter.callback);
            }
        }

        private void scheduleSweep() {
            if (sweepScheduled || upstream.keepAlive().isZero()) {
                return;
            }
            sweepScheduled = true;
            try {
                ioThread.executeAfter(this::sweep, upstream.keepAlive().toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the IO thread is stopping (shutdown): its connections close with it, nothing to sweep
                sweepScheduled = false;
            }
        }

        private void sweep() {
            sweepScheduled = false;
            long now = ticker.nanos();
            long keepAlive = upstream.keepAlive().toNanos();
            for (Iterator<Pooled> it = idle.iterator(); it.hasNext();) {
                Pooled pooled = it.next();
                if (now - pooled.idleSince >= keepAlive || !pooled.isOpen()) {
                    it.remove();
                    pooled.close();
                }
            }
            if (!idle.isEmpty()) {
                scheduleSweep();
            }
        }

        /** One connect in progress. */
        private final class ConnectAttempt implements ClientCallback<ClientConnection>, Http1Connection.ConnectCallback {
            private final Callback callback;
            XnioExecutor.Key timer;
            private boolean timedOut;

            ConnectAttempt(Callback callback) {
                this.callback = callback;
            }

            void timedOut() {
                timedOut = true;
                callback.failed(UpstreamException.timeout("connect timed out"));
            }

            @Override
            public void completed(ClientConnection connection) {
                Pooled pooled = new Pooled(connection, null, ThreadPool.this);
                live.add(pooled);
                connection.addCloseListener(c -> closed(pooled));
                opened(pooled);
            }

            @Override
            public void connected(Http1Connection connection) {
                Pooled pooled = new Pooled(null, connection, ThreadPool.this);
                live.add(pooled);
                connection.onClose(() -> closed(pooled));
                opened(pooled);
            }

            private void opened(Pooled pooled) {
                if (timer != null) {
                    timer.remove();
                }
                if (timedOut) {
                    release(pooled, true);
                } else {
                    callback.connected(pooled, false);
                }
            }

            @Override
            public void failed(IOException e) {
                if (timer != null) {
                    timer.remove();
                }
                open--;
                logger.debug("connect to {} failed: {}", endpoint.endpoint, e.toString());
                if (!timedOut) {
                    callback.failed(UpstreamException.connectFailed(e instanceof java.net.UnknownHostException
                            ? "could not resolve " + e.getMessage() : "connect failed: " + e.getMessage()));
                }
                serveWaiter();
            }
        }
    }

    /** A request waiting for a connection. */
    private static final class Waiter {
        final Callback callback;
        final Duration connectTimeout;
        XnioExecutor.Key timer;

        Waiter(Callback callback, Duration connectTimeout) {
            this.callback = callback;
            this.connectTimeout = connectTimeout;
        }

        void cancelTimer() {
            if (timer != null) {
                timer.remove();
            }
        }
    }

    /** A pooled connection, HTTP/1.1 (the edge's own client) or HTTP/2 (Undertow's), and the pool it goes back to. */
    static final class Pooled {
        /** The HTTP/2 connection, or null. */
        final ClientConnection connection;
        /** The HTTP/1.1 connection, or null. */
        final Http1Connection http1;
        final ThreadPool pool;
        long idleSince;

        Pooled(ClientConnection connection, Http1Connection http1, ThreadPool pool) {
            this.connection = connection;
            this.http1 = http1;
            this.pool = pool;
        }

        boolean isOpen() {
            return http1 != null ? http1.isOpen() : connection.isOpen();
        }

        void close() {
            if (http1 != null) {
                http1.close();
            } else {
                IoUtils.safeClose(connection);
            }
        }

        void release(boolean reusable) {
            pool.release(this, reusable);
        }

        /**
         * This kept-alive connection failed before any response: the endpoint may be gone, so the other idle
         * connections to it (on this IO thread) are closed rather than tried one after another.
         */
        void dropIdleSiblings() {
            pool.dropIdle();
        }
    }
}
