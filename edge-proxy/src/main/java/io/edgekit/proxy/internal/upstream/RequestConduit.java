package io.edgekit.proxy.internal.upstream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.ConduitWritableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;

/**
 * The request side of an upstream HTTP/1.1 connection: the head goes out in front of the first body bytes
 * (one gathering write), and a body of unknown length is framed in chunks. Shutting it down ends the
 * request, never the socket. Owned by the connection's IO thread.
 */
final class RequestConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ByteBuffer framing = ByteBuffer.allocate(32);
    private final ByteBuffer[] out = new ByteBuffer[3];
    private ByteBuffer head = NOTHING;
    private boolean chunked;
    private boolean ended;
    private boolean wroteChunk;
    private long chunkLeft;
    /** The whole request, its end included, has been handed to the socket. */
    boolean complete;

    /** Closes the connection: a request cut short leaves it unusable. */
    private final Runnable close;

    RequestConduit(StreamSinkConduit next, Runnable close) {
        super(next);
        this.close = close;
        framing.flip();
    }

    void start(ByteBuffer head, boolean chunked) {
        this.head = head;
        this.chunked = chunked;
        ended = false;
        complete = false;
        wroteChunk = false;
        chunkLeft = 0;
        framing.clear().flip();
    }

    void idle() {
        head = NOTHING;
        ended = true;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (ended) {
            throw new ClosedChannelException();
        }
        if (!chunked) {
            if (!head.hasRemaining()) {
                return next.write(src);
            }
            int before = src.remaining();
            out[0] = head;
            out[1] = src;
            next.write(out, 0, 2);
            return before - src.remaining();
        }
        if (!src.hasRemaining()) {
            return 0;
        }
        if (chunkLeft == 0) {
            framing.clear();
            if (wroteChunk) {
                framing.put(CRLF);
            }
            framing.put(Integer.toHexString(src.remaining()).getBytes(StandardCharsets.US_ASCII)).put(CRLF).flip();
            chunkLeft = src.remaining();
            wroteChunk = true;
        }
        int limit = src.limit();
        if (src.remaining() > chunkLeft) {
            src.limit(src.position() + (int) chunkLeft);
        }
        int before = src.remaining();
        int written;
        try {
            out[0] = head;
            out[1] = framing;
            out[2] = src;
            next.write(out, 0, 3);
            written = before - src.remaining();
        } finally {
            src.limit(limit);
        }
        chunkLeft -= written;
        return written;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                total += write(srcs[i]);
                if (srcs[i].hasRemaining()) {
                    break;
                }
            }
        }
        return total;
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
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
        return src.transferTo(position, count, new ConduitWritableByteChannel(this));
    }

    @Override
    public long transferFrom(StreamSourceChannel src, long count, ByteBuffer throughBuffer) throws IOException {
        return IoUtils.transfer(src, count, throughBuffer, new ConduitWritableByteChannel(this));
    }

    @Override
    public void terminateWrites() throws IOException {
        if (ended) {
            return;
        }
        if (chunked && chunkLeft != 0) {
            throw new IOException("request body ended inside a chunk");
        }
        ended = true;
        if (chunked) {
            framing.clear();
            if (wroteChunk) {
                framing.put(CRLF);
            }
            framing.put(LAST_CHUNK).flip();
        }
    }

    @Override
    public boolean isWriteShutdown() {
        return ended;
    }

    @Override
    public boolean flush() throws IOException {
        while (head.hasRemaining() || framing.hasRemaining()) {
            out[0] = head;
            out[1] = framing;
            if (next.write(out, 0, 2) == 0) {
                return false;
            }
        }
        if (!next.flush()) {
            return false;
        }
        if (ended) {
            complete = true;
        }
        return true;
    }

    @Override
    public void truncateWrites() {
        ended = true;
        close.run(); // a request cut short leaves the connection unusable
    }
}
