package io.edgekit.proxy.internal.server;

import io.edgekit.core.Body;
import io.edgekit.proxy.internal.upstream.ChunkedDecoder;
import io.undertow.conduits.ReadDataStreamSourceConduit;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpAttachments;
import io.undertow.server.protocol.http.HttpServerConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * A chunked request body, decoded {@linkplain ChunkedDecoder#strict strictly} in place of Undertow's
 * lenient decoder, so that the edge and the origin behind it agree exactly on where a request ends. Bad
 * framing fails the read with {@link Body.MalformedException} (the edge answers 400) and makes the
 * connection close after that answer, so nothing after the bad bytes is read as another request. Bytes
 * read past the body's end go back to the connection for the next request. Owned by the connection's IO
 * thread.
 */
final class ChunkedRequestConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private final HttpServerExchange exchange;
    private final ChunkedDecoder decoder;
    /** Raw bytes read from the connection and not yet decoded, ready to be read from; null when none. */
    private PooledByteBuffer raw;
    private boolean finished;
    private IOException failure;

    private ChunkedRequestConduit(StreamSourceConduit next, HttpServerExchange exchange, int maxTrailerBytes) {
        super(next);
        this.exchange = exchange;
        this.decoder = ChunkedDecoder.strict(maxTrailerBytes);
    }

    /**
     * Puts the strict decoder in place of Undertow's on an HTTP/1.1 exchange whose body is chunked; false
     * when the exchange is not on such a connection (HTTP/2 frames its own bodies).
     */
    static boolean install(HttpServerExchange exchange, int maxTrailerBytes) {
        if (!(exchange.getConnection() instanceof HttpServerConnection connection)) {
            return false;
        }
        var source = connection.getChannel().getSourceChannel();
        source.setConduit(new ChunkedRequestConduit(
                new ReadDataStreamSourceConduit(connection.getOriginalSourceConduit(), connection), exchange,
                maxTrailerBytes));
        return true;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (finished) {
            return -1;
        }
        int total = 0;
        while (dst.hasRemaining()) {
            if (raw == null) {
                raw = exchange.getConnection().getByteBufferPool().allocate();
                raw.getBuffer().flip(); // empty, ready to be read from
            }
            ByteBuffer buffer = raw.getBuffer();
            if (!buffer.hasRemaining()) {
                if (total > 0) {
                    break; // what was decoded goes up first; the socket is read on the next call
                }
                buffer.clear();
                int n;
                try {
                    n = next.read(buffer);
                } finally {
                    buffer.flip();
                }
                if (n == -1) {
                    throw fail("the client closed the connection before the last chunk");
                }
                if (n == 0) {
                    return 0;
                }
            }
            try {
                total += decoder.decode(buffer, dst);
            } catch (IOException e) {
                throw fail(e.getMessage());
            }
            if (decoder.isDone()) {
                finish();
                break;
            }
        }
        return total > 0 || !finished ? total : -1;
    }

    /** The last chunk and the trailers are in: the next request may start with what is left. */
    private void finish() {
        finished = true;
        if (decoder.trailers() != null) {
            exchange.putAttachment(HttpAttachments.REQUEST_TRAILERS, decoder.trailers());
        }
        PooledByteBuffer left = raw;
        raw = null;
        if (left.getBuffer().hasRemaining()) {
            ((HttpServerConnection) exchange.getConnection()).ungetRequestBytes(left); // the next request's
        } else {
            left.close();
        }
        Connectors.terminateRequest(exchange);
    }

    private IOException fail(String why) {
        exchange.setPersistent(false); // the answer closes the connection: nothing more is read from it
        if (raw != null) {
            raw.close();
            raw = null;
        }
        failure = new Body.MalformedException("chunked request body: " + why);
        return failure;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return Conduits.transfer(this, count, throughBuffer, target);
    }

    @Override
    public void resumeReads() {
        if (raw != null && raw.getBuffer().hasRemaining() || finished || failure != null) {
            next.wakeupReads(); // decoded bytes are waiting here, not on the socket
        } else {
            next.resumeReads();
        }
    }

    @Override
    public void terminateReads() throws IOException {
        if (finished) {
            return; // the connection reads on: the next request starts where this body ended
        }
        exchange.setPersistent(false); // the rest of the body would be read as the next request
        if (raw != null) {
            raw.close();
            raw = null;
        }
        next.terminateReads();
    }
}
