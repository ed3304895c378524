package io.edgekit.proxy.internal.upstream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The response body as a conduit: bytes come from what was read with the head first, then from the
 * socket, ending at the Content-Length, the last chunk or the connection's end. Readiness is passed
 * on from the connection only while the body's reader asks for it.
 */
final class ResponseBody implements StreamSourceConduit {
    /** The connection the body is read from: its read buffer, socket and state. */
    private final Http1Connection c;
    private final boolean chunked;
    private final boolean toClose;
    /** Bytes left of the body, when it has a length. */
    private long remaining;
    /** The chunked framing, when the body is chunked. */
    private final ChunkedDecoder chunks;
    boolean done;
    boolean wantsReads;
    private boolean terminated;
    private ReadReadyHandler handler;

    ResponseBody(Http1Connection connection, long length, boolean chunked) {
        this.c = connection;
        this.chunked = chunked;
        this.toClose = length < 0 && !chunked;
        this.remaining = chunked ? 0 : length;
        this.chunks = chunked ? ChunkedDecoder.lenient(c.maxHeadBytes) : null;
    }

    void readReady() {
        if (wantsReads && handler != null && !terminated) {
            handler.readReady();
        }
    }

    private void finish() {
        done = true;
        if (c.state == Http1Connection.State.BODY && c.body == this) {
            c.state = Http1Connection.State.DONE;
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (terminated) {
            throw new ClosedChannelException();
        }
        if (done) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (chunked) {
            return readChunked(dst);
        }
        if (c.buffer.hasRemaining()) {
            int n = (int) Math.min(Math.min(c.buffer.remaining(), dst.remaining()), toClose ? Long.MAX_VALUE : remaining);
            copy(dst, n);
            if (!toClose && (remaining -= n) == 0) {
                finish();
            }
            return n;
        }
        int limit = dst.limit();
        if (!toClose && dst.remaining() > remaining) {
            dst.limit(dst.position() + (int) remaining); // what comes after the body stays on the socket
        }
        int n;
        try {
            n = c.source.read(dst);
        } catch (IOException e) {
            c.persistent = false;
            throw e;
        } finally {
            dst.limit(limit);
        }
        if (n == -1) {
            if (toClose) {
                finish();
                return -1;
            }
            c.persistent = false;
            throw new IOException("the upstream closed the c.connection before the body ended");
        }
        if (!toClose && n > 0 && (remaining -= n) == 0) {
            finish();
        }
        return n;
    }

    private void copy(ByteBuffer dst, int n) {
        int limit = c.buffer.limit();
        c.buffer.limit(c.buffer.position() + n);
        dst.put(c.buffer);
        c.buffer.limit(limit);
    }

    private int readChunked(ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining() && !done) {
            if (!c.buffer.hasRemaining()) {
                if (total > 0) {
                    break;
                }
                int n;
                try {
                    n = c.fill();
                } catch (IOException e) {
                    c.persistent = false;
                    throw e;
                }
                if (n == -1) {
                    c.persistent = false;
                    throw new IOException("the upstream closed the c.connection before the last chunk");
                }
                if (n == 0) {
                    return 0;
                }
            }
            try {
                total += chunks.decode(c.buffer, dst);
            } catch (IOException e) {
                c.persistent = false;
                throw e;
            }
            if (chunks.isDone()) {
                c.trailers = chunks.trailers();
                finish();
            }
        }
        return total > 0 ? total : done ? -1 : 0;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                int n = read(dsts[i]);
                if (n < 0) {
                    return total > 0 ? total : -1;
                }
                total += n;
                if (dsts[i].hasRemaining()) {
                    break;
                }
            }
        }
        return total;
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
    public void terminateReads() {
        if (!terminated) {
            terminated = true;
            wantsReads = false;
            if (!done) {
                c.persistent = false; // the rest of the body is still coming: the connection cannot be reused
            }
        }
    }

    @Override
    public boolean isReadShutdown() {
        return terminated;
    }

    @Override
    public void resumeReads() {
        wantsReads = true;
        if (done || c.buffer.hasRemaining()) {
            c.ioThread.execute(this::readReady);
        } else {
            c.resumeSocketReads();
        }
    }

    @Override
    public void suspendReads() {
        wantsReads = false;
    }

    @Override
    public void wakeupReads() {
        wantsReads = true;
        c.resumeSocketReads();
        c.ioThread.execute(this::readReady);
    }

    @Override
    public boolean isReadResumed() {
        return wantsReads;
    }

    @Override
    public void awaitReadable() throws IOException {
        if (!done && !c.buffer.hasRemaining()) {
            c.source.awaitReadable();
        }
    }

    @Override
    public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
        if (!done && !c.buffer.hasRemaining()) {
            c.source.awaitReadable(time, timeUnit);
        }
    }

    @Override
    public XnioIoThread getReadThread() {
        return c.ioThread;
    }

    @Override
    public void setReadReadyHandler(ReadReadyHandler handler) {
        this.handler = handler;
    }

    @Override
    public XnioWorker getWorker() {
        return c.connection.getWorker();
    }
}
