package io.edgekit.proxy.internal.server;

import io.edgekit.core.EdgeRuntime;
import io.edgekit.core.Problem;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;

/**
 * Watches what goes out on a client connection for the one answer Undertow's parser writes by itself: a
 * bare {@code 400} with no body and a close, for a request head it cannot parse (an invalid field name, a
 * bare CR, a NUL). That answer is replaced, byte for byte as it is written, by the edge's own problem
 * response with a request id, and reported to the exchange listener, so that this refusal too is
 * {@code application/problem+json} and completes exactly once. Everything else passes through; the check
 * costs one length comparison per write. Owned by the connection's IO thread.
 */
final class RefusalWatchConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {
    /** Undertow's answer to a head its parser refused (HttpReadListener), written as one buffer. */
    static final byte[] PARSER_REFUSAL = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final EdgeRuntime runtime;
    private final SocketAddress peer;
    /** The edge's refusal going out in place of the parser's, once one was seen. */
    private RawRefusals.Refusal refusal;
    private boolean reported;

    RefusalWatchConduit(StreamSinkConduit next, EdgeRuntime runtime, SocketAddress peer) {
        super(next);
        this.runtime = runtime;
        this.peer = peer;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (refusal == null && src.remaining() == PARSER_REFUSAL.length && isParserRefusal(src)) {
            refusal = RawRefusals.refuse(runtime, peer, new Problem(400, "Bad Request", "malformed request head"),
                    false);
            src.position(src.limit()); // taken: the edge's refusal goes out instead
            drain();
            return PARSER_REFUSAL.length;
        }
        if (!drain()) {
            return 0;
        }
        return next.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (!drain()) {
            return 0;
        }
        return next.write(srcs, offset, length);
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
        return Conduits.writeFinalBasic(this, src);
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return Conduits.writeFinalBasic(this, srcs, offset, length);
    }

    @Override
    public boolean flush() throws IOException {
        return drain() && next.flush();
    }

    @Override
    public void truncateWrites() throws IOException {
        if (refusal != null && !reported) {
            reported = true;
            refusal.complete(runtime, new IOException("the connection closed before the refusal went out"));
        }
        next.truncateWrites();
    }

    /** Writes what is left of the edge's refusal; true when nothing of it is left. */
    private boolean drain() throws IOException {
        if (refusal == null || reported) {
            return true;
        }
        ByteBuffer bytes = refusal.bytes();
        while (bytes.hasRemaining()) {
            if (next.write(bytes) == 0) {
                return false;
            }
        }
        reported = true;
        refusal.complete(runtime, null);
        return true;
    }

    private static boolean isParserRefusal(ByteBuffer src) {
        int at = src.position();
        for (int i = 0; i < PARSER_REFUSAL.length; i++) {
            if (src.get(at + i) != PARSER_REFUSAL[i]) {
                return false;
            }
        }
        return true;
    }
}
