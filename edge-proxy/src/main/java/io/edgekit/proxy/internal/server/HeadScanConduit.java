package io.edgekit.proxy.internal.server;

import io.edgekit.core.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Watches the bytes of each request head as they arrive, below Undertow's parser, for what the parser
 * silently repairs or cannot tell: obsolete line folding (a line of the head that starts with a space or
 * tab), which the edge rejects rather than unfolds; the request line's version (Undertow reads HTTP/9.9 as
 * HTTP/1.1); the size, line count and bare line feeds of a head the parser refused, so that refusal gets its
 * own status and reason. Scanning stops at the end of a head and starts again when the handler says the
 * next head is due (with any bytes already read of it), so bodies are never scanned. Owned by the
 * connection's IO thread.
 *
 * <p>It also suspends reads lazily. Undertow suspends a connection's reads while a request is in flight
 * and resumes them when the response is done; when the response comes from an upstream, that is a later
 * turn of the event loop, so each request cost two epoll_ctl calls (the selector drops the socket and adds
 * it back). Here a suspension only takes effect if bytes (or the end of the stream) actually arrive while
 * suspended; a client that waits for its response, as nearly all do, costs none.
 */
public final class HeadScanConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private boolean inHead = true;
    private boolean sawContent;
    private int last;
    private int beforeLast;
    private int thirdLast;
    private boolean folded;
    /** Bytes of the current head seen so far, its line feeds, and whether one came without its CR. */
    private long headBytes;
    private int lineFeeds;
    private boolean bareLineFeed;
    /** The last eight bytes of the request line so far, then, once it ended, its version ({@code HTTP/1.1}). */
    private long requestLineTail;
    private static final long HTTP_1_1 = tail("HTTP/1.1");
    private static final long HTTP_1_0 = tail("HTTP/1.0");
    /**
     * The edge's state for this connection, kept here because a connection has exactly one scanner and
     * the handler reaches it without a map lookup. Owned by the handler; this class never reads it.
     */
    Object connectionState;
    /** Reads are suspended as far as the layers above know; the socket may still be watched. */
    private volatile boolean suspended;

    HeadScanConduit(StreamSourceConduit next) {
        super(next);
        suspended = !next.isReadResumed();
    }

    @Override
    public void setReadReadyHandler(ReadReadyHandler handler) {
        next.setReadReadyHandler(handler == null ? null : new ReadReadyHandler() {
            @Override
            public void readReady() {
                if (suspended) {
                    next.suspendReads(); // something arrived while suspended: now stop watching for real
                    if (!suspended) {
                        next.resumeReads(); // resumed from another thread meanwhile
                    }
                    return;
                }
                handler.readReady();
            }

            @Override
            public void forceTermination() {
                handler.forceTermination();
            }

            @Override
            public void terminated() {
                handler.terminated();
            }
        });
    }

    @Override
    public void suspendReads() {
        suspended = true;
    }

    @Override
    public void resumeReads() {
        suspended = false;
        next.resumeReads();
    }

    @Override
    public void wakeupReads() {
        suspended = false;
        next.wakeupReads();
    }

    @Override
    public boolean isReadResumed() {
        return !suspended && next.isReadResumed();
    }

    /** True when the current head had a folded line. */
    boolean folded() {
        return folded;
    }

    /**
     * Why Undertow's parser refused the current head, as far as its bytes tell: 431 when they exceed the
     * listener's header size or count, 400 naming a bare LF, else 400.
     */
    Problem refusal(ListenerLimits limits) {
        if (headBytes > limits.maxHeaderBytes()) {
            return new Problem(431, "Request Header Fields Too Large", "header fields larger than "
                    + limits.maxHeaderBytes() + " bytes");
        }
        if (lineFeeds - 1 > limits.maxHeaders()) {
            return new Problem(431, "Request Header Fields Too Large", "more than " + limits.maxHeaders()
                    + " header fields");
        }
        return new Problem(400, "Bad Request", bareLineFeed ? "a line of the request head ends in LF without CR"
                : "malformed request head: an invalid request line, field or framing");
    }

    /**
     * Whether the current head's request line named HTTP/1.1 or HTTP/1.0; Undertow's parser reads other
     * versions (HTTP/9.9) as one of those, so the edge looks at the bytes itself.
     */
    boolean knownVersion() {
        return requestLineTail == HTTP_1_1 || requestLineTail == HTTP_1_0;
    }

    private static long tail(String version) {
        long tail = 0;
        for (int i = 0; i < version.length(); i++) {
            tail = tail << 8 | version.charAt(i);
        }
        return tail;
    }

    /**
     * The current request is complete: the next bytes on the connection start a new head, beginning with
     * {@code pending} (null when none): bytes read ahead with the last request (a pipelined head), which
     * reach the parser without passing here again.
     */
    void expectHead(ByteBuffer pending) {
        inHead = true;
        sawContent = false;
        folded = false;
        headBytes = 0;
        lineFeeds = 0;
        bareLineFeed = false;
        requestLineTail = 0;
        last = 0;
        beforeLast = 0;
        thirdLast = 0;
        if (pending != null && pending.hasRemaining()) {
            scan(pending, pending.position(), pending.limit());
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        int read = next.read(dst);
        if (read > 0 && inHead) {
            scan(dst, start, start + read);
        }
        return read;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
        int[] starts = new int[len];
        for (int i = 0; i < len; i++) {
            starts[i] = dsts[offs + i].position();
        }
        long read = next.read(dsts, offs, len);
        if (read > 0 && inHead) {
            for (int i = 0; i < len && inHead; i++) {
                scan(dsts[offs + i], starts[i], dsts[offs + i].position());
            }
        }
        return read;
    }

    private void scan(ByteBuffer buffer, int from, int to) {
        // the last three bytes live in locals while the loop runs, and go back to the fields after it
        int b1 = last;
        int b2 = beforeLast;
        int b3 = thirdLast;
        boolean content = sawContent;
        int lines = lineFeeds;
        long lineTail = requestLineTail;
        int i = from;
        for (; i < to; i++) {
            int b = buffer.get(i) & 0xff;
            if (!content) {
                if (b == '\r' || b == '\n') {
                    continue; // blank lines before a request line are ignored (RFC 9112 section 2.2)
                }
                content = true;
            } else if (lines == 0 && b != '\r' && b != '\n') {
                lineTail = lineTail << 8 | b; // the request line: its last eight bytes are its version
            } else if (b1 == '\n' && (b == ' ' || b == '\t')) {
                folded = true;
            } else if (b == '\n') {
                lines++;
                if (b1 != '\r') {
                    bareLineFeed = true;
                }
                if (b1 == '\r' && b2 == '\n' && b3 == '\r') {
                    inHead = false; // the head is complete; what follows is a body or the next request
                    break;
                }
            }
            b3 = b2;
            b2 = b1;
            b1 = b;
        }
        headBytes += i - from;
        lineFeeds = lines;
        requestLineTail = lineTail;
        last = b1;
        beforeLast = b2;
        thirdLast = b3;
        sawContent = content;
    }
}
