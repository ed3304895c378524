package io.edgekit.proxy.internal.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Ends an exchange answered while its request body was still coming (a 413, a denial), on a connection
 * that closes after it: the rest of the body is read and dropped first, for at most {@link #MAX_BYTES} and
 * {@link #MAX_NANOS}, so the close comes after the client stopped sending. Closing with unread bytes would
 * reset the connection, and a client still writing its upload could lose the answer (nginx calls this a
 * lingering close). A client that stops sending is not waited for past the bound. Runs on the connection's
 * IO thread; never blocks.
 */
final class Lingering {
    static final long MAX_BYTES = 4 * 1024 * 1024;
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final HttpServerExchange server;
    private final ConduitStreamSourceChannel source;
    private final ByteBuffer scratch = ByteBuffer.allocate(16 * 1024);
    private final long deadline = System.nanoTime() + MAX_NANOS;
    private long dropped;
    private XnioExecutor.Key timer;
    private boolean ended;

    private Lingering(HttpServerExchange server, ConduitStreamSourceChannel source) {
        this.server = server;
        this.source = source;
    }

    /** Drops what is left of the request body within the bounds, then ends the exchange. */
    static void dropBodyThenEnd(HttpServerExchange server) {
        if (server.isRequestComplete() || !(server.getConnection() instanceof HttpServerConnection connection)) {
            server.endExchange();
            return;
        }
        new Lingering(server, connection.getChannel().getSourceChannel()).drop();
    }

    private void drop() {
        try {
            while (!ended) {
                scratch.clear();
                int n = source.read(scratch);
                if (n == -1 || (dropped += Math.max(n, 0)) > MAX_BYTES || System.nanoTime() - deadline > 0) {
                    end();
                    return;
                }
                if (n == 0) {
                    waitForMore();
                    return;
                }
            }
        } catch (IOException e) {
            end();
        }
    }

    private void waitForMore() {
        if (timer == null) {
            timer = server.getIoThread().executeAfter(this::end, Math.max(1, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }
        source.setReadListener(channel -> drop());
        source.resumeReads();
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (timer != null) {
            timer.remove();
        }
        source.suspendReads();
        source.setReadListener(null);
        server.endExchange();
    }
}
