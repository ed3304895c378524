package io.edgekit.proxy.internal.upstream;

import io.edgekit.proxy.internal.io.IoThreads;
import io.undertow.util.HeaderMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Pooled;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.PushBackStreamSourceConduit;
import org.xnio.conduits.StreamSinkConduit;

/**
 * One HTTP/1.1 connection to an upstream: the edge's own client codec on the XNIO connection. The
 * request head is written from the edge's fields in one pass, together with the first body bytes; the
 * response head is parsed strictly ({@link Http1ResponseHead}) into the edge's fields; the body is
 * framed by Content-Length, chunked coding or the connection's close (RFC 9112 section 6).
 *
 * <p>Read interest stays on for the connection's whole life: an idle connection that the upstream
 * closes is noticed and dropped at once, and a request costs no interest changes. It is turned off
 * only when bytes arrive that nobody asks for yet (a body whose reader waits for the client), and
 * back on when they are asked for. A response whose body arrived with its head is handed out without
 * another read. One exchange at a time; confined to its IO thread.
 *
 * <p>The read buffer is taken from its IO thread's spares when bytes arrive and given back when the
 * connection goes idle, so neither an idle pooled connection nor a request still waiting for its response
 * holds one.
 */
public final class Http1Connection {
    /** Told what became of the exchange in flight. */
    interface Listener {
        /** The final response head arrived; its body streams from {@code body} ({@code length} -1: unknown). */
        void response(Http1ResponseHead head, long length, StreamSourceChannel body);

        /** The exchange failed; {@code nothingReceived} when not one byte of a response had come. */
        void failed(IOException cause, String what, boolean nothingReceived);
    }

    /** Receives a new connection, or why there is none. */
    interface ConnectCallback {
        void connected(Http1Connection connection);

        void failed(IOException cause);
    }

    enum State { IDLE, AWAITING_HEAD, BODY, DONE, UPGRADED, CLOSED }

    private static final int BUFFER_BYTES = 8 * 1024;
    /** The request-head buffer a connection starts with, and goes back to after a large head. */
    private static final int HEAD_BUFFER_BYTES = 1024;

    final StreamConnection connection;
    final XnioIoThread ioThread;
    final ConduitStreamSourceChannel source;
    private final ConduitStreamSinkChannel sink;
    private final StreamSinkConduit rawSink;
    private final RequestConduit request;
    private static final byte[] NO_BUFFER = new byte[0];
    /** Read buffers given back by idle connections, per IO thread, for the next response read there. */
    private static final ThreadLocal<java.util.ArrayDeque<byte[]>> SPARE_BUFFERS =
            ThreadLocal.withInitial(java.util.ArrayDeque::new);
    private static final int MAX_SPARE_BUFFERS = 64;

    /** Bytes read and not yet consumed, between position and limit, over {@link #bytes} (none until a read). */
    private byte[] bytes = NO_BUFFER;
    ByteBuffer buffer = emptyOver(bytes);
    private byte[] headBytes = new byte[HEAD_BUFFER_BYTES];
    private ByteBuffer headBuffer = ByteBuffer.wrap(headBytes);
    State state = State.IDLE;
    private boolean readsSuspended;
    private Listener listener;
    ResponseBody body;
    HeaderMap trailers;
    int maxHeadBytes;
    private boolean headRequest;
    private boolean upgradeRequested;
    boolean persistent;
    private long received;

    private Http1Connection(StreamConnection connection, XnioIoThread ioThread) {
        this.connection = connection;
        this.ioThread = ioThread;
        this.source = connection.getSourceChannel();
        this.sink = connection.getSinkChannel();
        this.rawSink = sink.getConduit();
        this.request = new RequestConduit(rawSink, this::close);
        sink.setConduit(request);
        source.getReadSetter().set(channel -> onReadable());
        source.resumeReads();
    }

    /** Opens a connection to {@code address} from {@code ioThread}; the callback runs on that thread. */
    static void connect(XnioIoThread ioThread, InetSocketAddress address, OptionMap options,
            ConnectCallback callback) {
        ioThread.openStreamConnection(address, null, options).addNotifier(
                new IoFuture.HandlingNotifier<StreamConnection, Object>() {
                    @Override
                    public void handleDone(StreamConnection connection, Object attachment) {
                        IoThreads.run(ioThread, () -> callback.connected(new Http1Connection(connection, ioThread)));
                    }

                    @Override
                    public void handleFailed(IOException e, Object attachment) {
                        IoThreads.run(ioThread, () -> callback.failed(e));
                    }

                    @Override
                    public void handleCancelled(Object attachment) {
                        IoThreads.run(ioThread, () -> callback.failed(new IOException("connect cancelled")));
                    }
                }, null);
    }

    boolean isOpen() {
        return state != State.CLOSED && connection.isOpen();
    }

    void close() {
        state = State.CLOSED;
        IoUtils.safeClose(connection);
    }

    /** Runs {@code listener} once when the connection has closed, whoever closed it. */
    void onClose(Runnable listener) {
        connection.getCloseSetter().set(c -> listener.run());
    }

    /**
     * Starts an exchange with the encoded request {@code head}: returns the channel its body goes to,
     * framed as chunks when {@code chunked}, which must be shut down and flushed, even when there is no
     * body, for the head to be sure to go out.
     */
    StreamSinkChannel send(ByteBuffer head, boolean chunked, boolean headRequest, boolean upgradeRequested,
            int maxHeadBytes, Listener listener) {
        if (state != State.IDLE) {
            throw new IllegalStateException("exchange in flight: " + state);
        }
        this.listener = listener;
        this.headRequest = headRequest;
        this.upgradeRequested = upgradeRequested;
        this.maxHeadBytes = maxHeadBytes;
        this.received = 0;
        this.persistent = false;
        this.trailers = null;
        state = State.AWAITING_HEAD;
        request.start(head, chunked);
        return sink;
    }

    /**
     * A buffer of at least {@code size} bytes for the next request head, reused from one request to the
     * next: a head is always written out before the connection takes another request.
     */
    byte[] headBuffer(int size) {
        if (headBytes.length < size) {
            headBytes = new byte[Math.max(size, 2 * headBytes.length)];
            headBuffer = ByteBuffer.wrap(headBytes);
        }
        return headBytes;
    }

    /** {@link #headBuffer}'s first {@code length} bytes, as the head to {@link #send}. */
    ByteBuffer head(int length) {
        headBuffer.clear().limit(length);
        return headBuffer;
    }

    /** The response's trailer fields, once its chunked body was read to the end; null when it had none. */
    HeaderMap trailers() {
        return trailers;
    }

    /**
     * Takes the connection out of HTTP after a 101: bytes already read after the head are put back in
     * front of the socket's, and the caller owns the connection from now on.
     */
    StreamConnection upgrade() {
        state = State.UPGRADED;
        source.getReadSetter().set(null);
        sink.setConduit(rawSink);
        if (buffer.hasRemaining()) {
            ByteBuffer rest = ByteBuffer.allocate(buffer.remaining());
            rest.put(buffer).flip();
            PushBackStreamSourceConduit pushBack = new PushBackStreamSourceConduit(source.getConduit());
            pushBack.pushBack(unpooled(rest));
            source.setConduit(pushBack);
        }
        if (readsSuspended) {
            readsSuspended = false;
            source.resumeReads();
        }
        return connection;
    }

    /**
     * Makes the connection ready for the next exchange once the last one ended cleanly: the request
     * fully sent, the response read to its end with nothing after it, and both sides willing to keep
     * it. False when it must be closed instead.
     */
    boolean recycle() {
        if (!isOpen()) {
            return false;
        }
        if (state == State.IDLE) {
            return true;
        }
        if (state != State.DONE || !persistent || !request.complete || buffer.hasRemaining()) {
            return false;
        }
        state = State.IDLE;
        listener = null;
        body = null;
        giveBackBuffer(); // an idle connection holds none (and a large head's grown one is dropped)
        if (headBytes.length > BUFFER_BYTES) {
            headBytes = new byte[HEAD_BUFFER_BYTES]; // likewise a large request head
            headBuffer = ByteBuffer.wrap(headBytes);
        }
        request.idle();
        sink.getWriteSetter().set(null);
        if (readsSuspended) {
            readsSuspended = false;
            source.resumeReads();
        }
        return true;
    }

    private void onReadable() {
        switch (state) {
            case AWAITING_HEAD -> readHead();
            case BODY -> {
                if (body.wantsReads) {
                    body.readReady();
                } else {
                    suspendSocketReads(); // nobody asks for these bytes yet
                }
            }
            case IDLE -> {
                try {
                    if (fill() != 0) {
                        close(); // the upstream closed the idle connection, or sent bytes nobody asked for
                    }
                } catch (IOException e) {
                    close();
                }
            }
            default -> suspendSocketReads();
        }
    }

    private void suspendSocketReads() {
        if (!readsSuspended) {
            readsSuspended = true;
            source.suspendReads();
        }
    }

    void resumeSocketReads() {
        if (readsSuspended && (state == State.BODY || state == State.AWAITING_HEAD)) {
            readsSuspended = false;
            source.resumeReads();
        }
    }

    /** Reads more bytes behind those not yet consumed; the count, 0 when none are there, -1 at the end. */
    int fill() throws IOException {
        if (bytes.length == 0) {
            byte[] spare = SPARE_BUFFERS.get().poll();
            bytes = spare != null ? spare : new byte[BUFFER_BYTES];
            buffer = emptyOver(bytes);
        }
        if (buffer.position() > 0) {
            buffer.compact().flip();
        }
        int end = buffer.limit();
        if (end == buffer.capacity()) {
            return 0; // full: the caller decides whether it may grow
        }
        buffer.position(end).limit(buffer.capacity());
        int n;
        try {
            n = source.read(buffer);
        } finally {
            buffer.limit(buffer.position()).position(0);
        }
        if (n > 0) {
            received += n;
        }
        return n;
    }

    private void readHead() {
        while (true) {
            int start = buffer.position();
            int limit = buffer.limit();
            int end = Http1ResponseHead.end(bytes, start, limit);
            if ((end > 0 ? end : limit) - start > maxHeadBytes) { // the head, or what has come of it
                failRead(new Http1ResponseHead.ProtocolException("response head larger than " + maxHeadBytes
                        + " bytes"), "response header fields larger than " + maxHeadBytes + " bytes");
                return;
            }
            if (end > 0) {
                Http1ResponseHead head;
                try {
                    head = Http1ResponseHead.parse(bytes, start, end);
                } catch (Http1ResponseHead.ProtocolException e) {
                    failRead(e, "invalid response head from upstream");
                    return;
                }
                buffer.position(end);
                if (head.status >= 200 || head.status == 101) {
                    onHead(head);
                    return;
                }
                continue; // an interim response (100, 103): the final one follows
            }
            if (bytes.length > 0 && buffer.remaining() == bytes.length) {
                grow(); // a head larger than the buffer, but within the bound
            }
            int n;
            try {
                n = fill();
            } catch (IOException e) {
                failRead(e, "reading the response failed");
                return;
            }
            if (n == -1) {
                failRead(new ClosedChannelException(), "the upstream closed the connection before responding");
                return;
            }
            if (n == 0) {
                if (!buffer.hasRemaining()) {
                    giveBackBuffer(); // nothing came yet: a request waiting for its response holds no buffer
                }
                return; // the rest comes with the next readiness
            }
        }
    }

    private void grow() {
        int start = buffer.position();
        int limit = buffer.limit();
        bytes = java.util.Arrays.copyOf(bytes, Math.min(bytes.length * 2, maxHeadBytes + BUFFER_BYTES));
        buffer = ByteBuffer.wrap(bytes);
        buffer.limit(limit).position(start);
    }

    private void onHead(Http1ResponseHead head) {
        if (head.status == 101) {
            if (!upgradeRequested) {
                failRead(new Http1ResponseHead.ProtocolException("101 without an upgrade asked for"),
                        "invalid response head from upstream");
                return;
            }
            state = State.UPGRADED;
            listener.response(head, 0, null);
            return;
        }
        persistent = head.persistent();
        long length;
        boolean chunked = false;
        int status = head.status;
        if (headRequest || status == 204 || status == 304) {
            length = 0;
        } else if (head.hasTransferEncoding) {
            length = -1;
            chunked = head.chunked;
            if (head.contentLength >= 0 || !chunked) {
                persistent = false; // RFC 9112 section 6.3: close after a message framed this way
            }
        } else if (head.contentLength >= 0) {
            length = head.contentLength;
        } else {
            length = -1; // the body ends when the connection does
            persistent = false;
        }
        body = new ResponseBody(this, length, chunked);
        if (length == 0) {
            body.done = true;
            state = State.DONE;
        } else {
            state = State.BODY;
        }
        listener.response(head, length, new ConduitStreamSourceChannel(connection, body));
    }

    /**
     * Closes the connection on the edge's own account; a request waiting for its response head is told it
     * failed (a response already streaming ends early, as with any close).
     */
    void abort(String why) {
        if (state == State.AWAITING_HEAD) {
            failRead(new IOException(why), why);
        } else {
            close();
        }
    }

    private void failRead(IOException cause, String what) {
        Listener told = listener;
        boolean nothingReceived = received == 0;
        close();
        if (told != null) {
            told.failed(cause, what, nothingReceived);
        }
    }

    /** Drops the read buffer (nothing unread in it), keeping it as a spare when it has the usual size. */
    private void giveBackBuffer() {
        if (bytes.length == BUFFER_BYTES) {
            java.util.ArrayDeque<byte[]> spares = SPARE_BUFFERS.get();
            if (spares.size() < MAX_SPARE_BUFFERS) {
                spares.push(bytes);
            }
        }
        bytes = NO_BUFFER;
        buffer = emptyOver(bytes);
    }

    private static ByteBuffer emptyOver(byte[] bytes) {
        return ByteBuffer.wrap(bytes).limit(0);
    }

    /** A heap buffer in the shape Undertow's push-back conduit takes: nothing to give back to a pool. */
    public static Pooled<ByteBuffer> unpooled(ByteBuffer bytes) {
        return new Pooled<>() {
            @Override
            public void discard() {
            }

            @Override
            public void free() {
            }

            @Override
            public ByteBuffer getResource() {
                return bytes;
            }

            @Override
            public void close() {
            }
        };
    }
}
