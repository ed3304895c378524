package io.edgekit.proxy.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Watches the bytes of each request head as they arrive, below Undertow's parser, for what the parser
 * silently repairs: obsolete line folding (a line of the head that starts with a space or tab), which
 * the edge rejects rather than unfolds. Scanning stops at the end of a head and starts again when the
 * handler says the next head is due, so bodies are never scanned. Owned by the connection's IO thread.
 */
final class HeadScanConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private boolean inHead = true;
    private boolean sawContent;
    private int last;
    private int beforeLast;
    private int thirdLast;
    private boolean folded;

    HeadScanConduit(StreamSourceConduit next) {
        super(next);
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
        for (int i = from; i < to && inHead; i++) {
            int b = buffer.get(i) & 0xff;
            if (!sawContent) {
                if (b == '\r' || b == '\n') {
                    continue; // blank lines before a request line are ignored (RFC 9112 section 2.2)
                }
                sawContent = true;
            } else if (last == '\n' && (b == ' ' || b == '\t')) {
                folded = true;
            } else if (b == '\n' && last == '\r' && beforeLast == '\n' && thirdLast == '\r') {
                inHead = false; // the head is complete; what follows is a body or the next request
            }
            thirdLast = beforeLast;
            beforeLast = last;
            last = b;
        }
    }
}
