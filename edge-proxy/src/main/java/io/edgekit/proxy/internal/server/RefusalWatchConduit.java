package io.edgekit.proxy.internal.server;

import io.edgekit.core.EdgeRuntime;
import io.edgekit.core.Problem;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;

/**
 * Watches what goes out on a client connection for the one answer Undertow's parser writes by itself: a
 * bare {@code 400} with no body and a close, for a request head it cannot parse (an invalid field name, a
 * bare CR or LF, a NUL, both Content-Length and Transfer-Encoding, a head past its limits). That answer is
 * replaced, byte for byte as it is written, by the edge's own problem response with a request id (431 when
 * the head scanner saw the header limits passed), reported to the exchange listener, so that this refusal
 * too is {@code application/problem+json} and completes exactly once, and logged at DEBUG with its reason
 * (with an INFO line at most every 10 seconds counting them). Everything else passes through; the check
 * costs one length comparison per write. Owned by the connection's IO thread.
 */
final class RefusalWatchConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {
    /** Undertow's answer to a head its parser refused (HttpReadListener), written as one buffer. */
    static final byte[] PARSER_REFUSAL = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private static final Logger logger = LoggerFactory.getLogger(RefusalWatchConduit.class);
    /** At most one INFO line per interval for parser refusals; each one is at DEBUG. */
    private static final long INFO_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private static final AtomicLong nextInfo = new AtomicLong(System.nanoTime());
    private static final AtomicLong sinceInfo = new AtomicLong();

    private final EdgeRuntime runtime;
    private final SocketAddress peer;
    /** Why the parser refused, as far as the head scanner can tell. */
    private final Supplier<Problem> reason;
    /** The edge's refusal going out in place of the parser's, once one was seen. */
    private RawRefusals.Refusal refusal;
    private boolean reported;

    RefusalWatchConduit(StreamSinkConduit next, EdgeRuntime runtime, SocketAddress peer, Supplier<Problem> reason) {
        super(next);
        this.runtime = runtime;
        this.peer = peer;
        this.reason = reason;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (refusal == null && src.remaining() == PARSER_REFUSAL.length && isParserRefusal(src)) {
            Problem problem = reason.get();
            refusal = RawRefusals.refuse(runtime, peer, problem, false);
            log(problem, refusal);
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

    private void log(Problem problem, RawRefusals.Refusal refusal) {
        String requestId = refusal.exchange().requestId();
        logger.debug("request {} from {}: refused by the parser with {}: {}", requestId, peer, problem.status(),
                problem.detail());
        long count = sinceInfo.incrementAndGet();
        long now = System.nanoTime();
        long next = nextInfo.get();
        if (now - next >= 0 && nextInfo.compareAndSet(next, now + INFO_EVERY_NANOS)) {
            sinceInfo.addAndGet(-count);
            logger.info("{} request head(s) refused by the parser in the last period; the latest, request {} from {}:"
                    + " {} {}", count, requestId, peer, problem.status(), problem.detail());
        }
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
