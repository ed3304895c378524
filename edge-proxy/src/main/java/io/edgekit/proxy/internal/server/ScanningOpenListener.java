package io.edgekit.proxy.internal.server;

import io.edgekit.core.EdgeRuntime;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.HttpHandler;
import io.undertow.server.OpenListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;

/**
 * Behind the PROXY protocol listener, once the header named the client: refuses a client over its
 * connection limit (429 and a close), and puts the request-head scanner on the connection just before
 * Undertow's HTTP listener takes it (the binary PROXY header must not be scanned as a request head).
 */
public final class ScanningOpenListener implements OpenListener {
    private final OpenListener http;
    private final ClientCounts perClient;
    private final EdgeRuntime runtime;
    private final ListenerLimits limits;

    public ScanningOpenListener(OpenListener http, int maxPerClient, EdgeRuntime runtime, ListenerLimits limits) {
        this.runtime = runtime;
        this.limits = limits;
        this.http = http;
        this.perClient = new ClientCounts(maxPerClient);
    }

    @Override
    public void handleEvent(StreamConnection connection) {
        InetAddress client = ((InetSocketAddress) connection.getPeerAddress()).getAddress();
        AtomicInteger count = perClient.tryAcquire(client);
        if (count == null) {
            AcceptGate.refuseOverClientLimit(connection, runtime);
            return;
        }
        AcceptGate.watch(connection, runtime, limits);
        http.handleEvent(connection);
        ClientCounts.onClose(connection, () -> perClient.release(client, count));
    }

    @Override
    public HttpHandler getRootHandler() {
        return http.getRootHandler();
    }

    @Override
    public void setRootHandler(HttpHandler rootHandler) {
        http.setRootHandler(rootHandler);
    }

    @Override
    public OptionMap getUndertowOptions() {
        return http.getUndertowOptions();
    }

    @Override
    public void setUndertowOptions(OptionMap options) {
        http.setUndertowOptions(options);
    }

    @Override
    public ByteBufferPool getBufferPool() {
        return http.getBufferPool();
    }

    @Override
    public ConnectorStatistics getConnectorStatistics() {
        return http.getConnectorStatistics();
    }

    @Override
    public void closeConnections() {
        http.closeConnections();
    }
}
