package io.edgekit.proxy.internal.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.Protocols;
import java.lang.reflect.Method;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * A response cut short (its upstream failed mid-body, a filter's body failed) must look cut short to the
 * client, never complete. Over HTTP/1.1 a body of unknown length is always chunked, even on a connection
 * that closes after it ({@link #frameUnknownLength}), so closing before the last chunk shows the cut, as
 * a declared Content-Length does; over HTTP/2 closing the exchange resets its stream (RST_STREAM); where
 * nothing in the framing can show it (an HTTP/1.0 body delimited by the close) the connection is reset
 * rather than closed cleanly.
 */
final class CutResponses {
    /** The socket under an XNIO NIO connection, which XNIO does not hand out; null where not reachable. */
    private static final Method SOCKET_OF = socketAccessor();

    private CutResponses() {
    }

    /** A body whose length is not known yet: chunked over HTTP/1.1, whether or not the connection stays. */
    static void frameUnknownLength(HttpServerExchange server, HeaderMap out) {
        if (server.getProtocol().equals(Protocols.HTTP_1_1)) {
            out.remove(Headers.CONTENT_LENGTH);
            out.put(Headers.TRANSFER_ENCODING, Headers.CHUNKED.toString());
        }
    }

    /** Ends a response that cannot be completed, in the way the client can tell from a complete one. */
    static void abort(HttpServerExchange server) {
        if (server.getConnection() instanceof HttpServerConnection connection && server.isResponseStarted()
                && !framingShowsACut(server)) {
            reset(connection.getChannel());
        }
        IoUtils.safeClose(server.getConnection());
    }

    private static boolean framingShowsACut(HttpServerExchange server) {
        HeaderMap headers = server.getResponseHeaders();
        return headers.contains(Headers.CONTENT_LENGTH) || headers.contains(Headers.TRANSFER_ENCODING)
                || server.getRequestMethod().equalToString("HEAD");
    }

    /** Closes with a reset (SO_LINGER 0) rather than a clean close; a clean close where that is not possible. */
    static void reset(StreamConnection connection) {
        if (SOCKET_OF != null && SOCKET_OF.getDeclaringClass().isInstance(connection)) {
            try {
                ((SocketChannel) SOCKET_OF.invoke(connection)).setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (ReflectiveOperationException | java.io.IOException | RuntimeException e) {
                // the clean close below is what is left
            }
        }
        IoUtils.safeClose(connection);
    }

    private static Method socketAccessor() {
        try {
            Method method = Class.forName("org.xnio.nio.NioSocketStreamConnection").getDeclaredMethod("getChannel");
            method.setAccessible(true);
            return method;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // XNIO's NIO provider is closed to reflection here: cut responses close cleanly
        }
    }
}
