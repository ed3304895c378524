package io.edgekit.proxy.internal.server;

import io.edgekit.core.EdgeRuntime;
import io.edgekit.core.Problem;
import io.edgekit.core.Request;
import io.edgekit.core.TrustedProxies;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * Accepts connections for a listener: refuses those over the total or per-client-address limit with a
 * short problem response and a close, installs the head scanner below Undertow's parser, and hands the
 * rest to Undertow. Counts are released when a connection closes. Thread-safe.
 */
public final class AcceptGate implements ChannelListener<AcceptingChannel<? extends StreamConnection>> {
    private static final Logger logger = LoggerFactory.getLogger(AcceptGate.class);

    private final ChannelListener<StreamConnection> openListener;
    private final int maxConnections;
    private final ClientCounts perClient;
    private final TrustedProxies proxies;
    private final EdgeRuntime runtime;
    private final ListenerLimits limits;
    private final AtomicInteger open = new AtomicInteger();

    /** Refusals carry their request id in {@code X-Request-Id} too when the edge sends that field. */
    public AcceptGate(ChannelListener<StreamConnection> openListener, int maxConnections, int maxPerClient,
            EdgeRuntime runtime, ListenerLimits limits) {
        this(openListener, maxConnections, maxPerClient, null, runtime, limits);
    }

    /**
     * A gate for a PROXY protocol listener: only peers in {@code proxies} may connect (the client
     * address then comes from the PROXY header), and the per-client limit is left to the listener behind
     * the PROXY header ({@link ScanningOpenListener}), which knows the client; so is the head scanner.
     */
    public AcceptGate(ChannelListener<StreamConnection> openListener, int maxConnections, int maxPerClient,
            TrustedProxies proxies, EdgeRuntime runtime, ListenerLimits limits) {
        this.runtime = runtime;
        this.limits = limits;
        this.openListener = openListener;
        this.maxConnections = maxConnections;
        this.perClient = new ClientCounts(proxies == null ? maxPerClient : Integer.MAX_VALUE);
        this.proxies = proxies;
    }

    /** Client connections open now. */
    public int openConnections() {
        return open.get();
    }

    @Override
    public void handleEvent(AcceptingChannel<? extends StreamConnection> channel) {
        for (int i = 0; i < 64; i++) {
            StreamConnection connection;
            try {
                connection = channel.accept();
            } catch (IOException e) {
                logger.debug("accept failed: {}", e.toString());
                return;
            }
            if (connection == null) {
                return;
            }
            admit(connection);
        }
        channel.wakeupAccepts(); // more may be waiting: let other work of this thread go first
    }

    private void admit(StreamConnection connection) {
        InetAddress client = ((InetSocketAddress) connection.getPeerAddress()).getAddress();
        if (proxies != null && !proxies.contains(client)) {
            logger.debug("PROXY protocol listener: refused {} (not a trusted proxy)", client);
            IoUtils.safeClose(connection);
            return;
        }
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refuse(connection, new Problem(503, "Service Unavailable", "too many connections"), false, runtime);
            return;
        }
        AtomicInteger count = perClient.tryAcquire(client);
        if (count == null) {
            open.decrementAndGet();
            refuseOverClientLimit(connection, runtime);
            return;
        }
        if (proxies == null) {
            watch(connection, runtime, limits);
        }
        openListener.handleEvent(connection);
        ClientCounts.onClose(connection, () -> {
            open.decrementAndGet();
            perClient.release(client, count);
        });
    }

    /**
     * Puts the edge's watchers on a client connection: the head scanner below Undertow's parser, and the
     * refusal watch that turns the parser's own bare 400 into the edge's problem response.
     */
    static void watch(StreamConnection connection, EdgeRuntime runtime, ListenerLimits limits) {
        HeadScanConduit scanner = new HeadScanConduit(connection.getSourceChannel().getConduit());
        connection.getSourceChannel().setConduit(scanner);
        connection.getSinkChannel().setConduit(new RefusalWatchConduit(connection.getSinkChannel().getConduit(),
                runtime, connection.getPeerAddress(), () -> scanner.refusal(limits)));
    }

    /** 429 with Retry-After and a close: the client has as many connections open as it may. */
    static void refuseOverClientLimit(StreamConnection connection, EdgeRuntime runtime) {
        refuse(connection, new Problem(429, "Too Many Requests", "too many connections from this client"), true,
                runtime);
    }

    /** Writes a problem response if the socket takes it at once, then closes. Never blocks. */
    private static void refuse(StreamConnection connection, Problem problem, boolean retryAfter,
            EdgeRuntime runtime) {
        RawRefusals.Refusal refusal = RawRefusals.refuse(runtime, connection.getPeerAddress(), problem, retryAfter);
        ByteBuffer out = refusal.bytes();
        Throwable failure = null;
        try {
            connection.getSinkChannel().write(out);
            connection.getSinkChannel().flush();
        } catch (IOException e) {
            failure = e; // the client is gone already
        }
        if (failure == null && out.hasRemaining()) {
            failure = new IOException("the socket did not take the refusal at once");
        }
        IoUtils.safeClose(connection);
        refusal.complete(runtime, failure);
    }
}
