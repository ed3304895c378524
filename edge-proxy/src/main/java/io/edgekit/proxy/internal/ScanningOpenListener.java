package io.edgekit.proxy.internal;

import io.undertow.connector.ByteBufferPool;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.HttpHandler;
import io.undertow.server.OpenListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;

/**
 * Puts the request-head scanner on a connection just before Undertow's HTTP listener takes it: used
 * behind the PROXY protocol listener, whose binary header must not be scanned as a request head.
 */
public final class ScanningOpenListener implements OpenListener {
    private final OpenListener http;

    public ScanningOpenListener(OpenListener http) {
        this.http = http;
    }

    @Override
    public void handleEvent(StreamConnection connection) {
        connection.getSourceChannel().setConduit(new HeadScanConduit(connection.getSourceChannel().getConduit()));
        http.handleEvent(connection);
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
