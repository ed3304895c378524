package io.edgekit.proxy.internal.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Watches the bytes of each request head as they arrive, below Undertow's parser, for what the parser
 * silently repairs: obsolete line folding (a line of the head that starts with a space or tab), which
 * the edge rejects rather than unfolds. Scanning stops at the end of a head and starts again when the
 * handler says the next head is due, so bodies are never scanned. Owned by the connection's IO thread.
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

    /** The current request is complete: the next bytes on the connection start a new head. */
    void expectHead() {
        inHead = true;
        sawContent = false;
        folded = false;
        last = 0;
        beforeLast = 0;
        thirdLast = 0;
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
        for (int i = from; i < to; i++) {
            int b = buffer.get(i) & 0xff;
            if (!content) {
                if (b == '\r' || b == '\n') {
                    continue; // blank lines before a request line are ignored (RFC 9112 section 2.2)
                }
                content = true;
            } else if (b1 == '\n' && (b == ' ' || b == '\t')) {
                folded = true;
            } else if (b == '\n' && b1 == '\r' && b2 == '\n' && b3 == '\r') {
                inHead = false; // the head is complete; what follows is a body or the next request
                break;
            }
            b3 = b2;
            b2 = b1;
            b1 = b;
        }
        last = b1;
        beforeLast = b2;
        thirdLast = b3;
        sawContent = content;
    }
}
