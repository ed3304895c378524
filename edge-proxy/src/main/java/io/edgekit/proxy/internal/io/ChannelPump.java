package io.edgekit.proxy.internal.io;

import io.edgekit.core.Body;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.ChannelListener;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * Moves bytes from a source channel to a sink channel without blocking, one pooled buffer at a time,
 * and finishes the sink (shutdown and flush) at the source's end. Reads wait while the sink is full, so
 * memory stays bounded whatever the body size. Runs on the IO thread that owns both channels.
 */
public final class ChannelPump {
    /** How a pump ended. */
    public interface Callback {
        void completed(long bytes);

        /** {@code readSide} tells which channel failed; a {@link Body.TooLargeException} means the limit. */
        void failed(Throwable cause, boolean readSide);
    }

    private static final int MAX_ROUNDS = 32;

    private final StreamSourceChannel source;
    private final StreamSinkChannel sink;
    private final ByteBufferPool pool;
    private final long limit;
    private final Activity activity;
    private final Callback callback;
    private PooledByteBuffer pooled;
    private ByteBuffer buffer;
    private long bytes;
    private ByteBuffer prefix;
    private boolean finished;
    /** True while the pump waits for the source to have bytes (not for the sink to take them). */
    private boolean waitingForSource;

    public ChannelPump(StreamSourceChannel source, StreamSinkChannel sink, ByteBufferPool pool, long limit,
            Activity activity, Callback callback) {
        this(source, sink, pool, limit, activity, callback, null);
    }

    /** A pump that first writes {@code prefix} (bytes already read from the source), then the rest. */
    public ChannelPump(StreamSourceChannel source, StreamSinkChannel sink, ByteBufferPool pool, long limit,
            Activity activity, Callback callback, byte[] prefix) {
        this.prefix = prefix == null ? null : ByteBuffer.wrap(prefix);
        this.bytes = prefix == null ? 0 : prefix.length;
        this.source = source;
        this.sink = sink;
        this.pool = pool;
        this.limit = limit;
        this.activity = activity;
        this.callback = callback;
    }

    public void start() {
        ChannelListener<java.nio.channels.Channel> listener = channel -> run();
        source.getReadSetter().set(listener);
        sink.getWriteSetter().set(listener);
        pooled = pool.allocate();
        buffer = pooled.getBuffer();
        buffer.clear().flip();
        run();
    }

    /** Bytes moved so far (the prefix included). */
    public long bytes() {
        return bytes;
    }

    /** Stops moving bytes and frees the buffer; the channels are left to their owners to close. */
    public void cancel() {
        if (!finished) {
            finished = true;
            detach();
        }
    }

    /** True while the pump has nothing to move because the source sends nothing. */
    public boolean isWaitingForSource() {
        return !finished && waitingForSource;
    }

    private void run() {
        if (finished) {
            return;
        }
        if (prefix != null) {
            if (!writeAll(prefix)) {
                return;
            }
            prefix = null;
        }
        for (int round = 0; round < MAX_ROUNDS; round++) {
            if (buffer.hasRemaining() && !writeAll(buffer)) {
                return;
            }
            buffer.clear();
            int read;
            try {
                read = source.read(buffer);
            } catch (IOException e) {
                fail(e, true); // a failed read may already have closed the connection and cancelled us
                return;
            }
            if (finished) {
                return;
            }
            buffer.flip();
            if (read == -1) {
                finishSink();
                return;
            }
            if (read == 0) {
                try {
                    if (!sink.flush()) {
                        source.suspendReads();
                        sink.resumeWrites();
                        return;
                    }
                } catch (IOException e) {
                    fail(e, false);
                    return;
                }
                sink.suspendWrites();
                source.resumeReads();
                waitingForSource = true;
                return;
            }
            waitingForSource = false;
            bytes += read;
            if (bytes > limit) {
                fail(new Body.TooLargeException(limit), true);
                return;
            }
            activity.touch();
        }
        // a long body: let other connections of this IO thread have a turn
        sink.suspendWrites();
        source.wakeupReads();
    }

    /**
     * Writes all of {@code data}; false when the sink is full (the pump then waits to write again), or
     * the write failed, or the pump was stopped meanwhile.
     */
    private boolean writeAll(ByteBuffer data) {
        try {
            while (data.hasRemaining()) {
                if (sink.write(data) == 0) {
                    source.suspendReads();
                    sink.resumeWrites();
                    return false;
                }
            }
        } catch (IOException e) {
            fail(e, false);
            return false;
        }
        if (finished) {
            return false;
        }
        activity.touch();
        return true;
    }

    private void finishSink() {
        try {
            sink.shutdownWrites();
            if (!sink.flush()) {
                source.suspendReads();
                sink.getWriteSetter().set(channel -> {
                    try {
                        if (channel.flush()) {
                            channel.suspendWrites();
                            complete();
                        }
                    } catch (IOException e) {
                        fail(e, false);
                    }
                });
                sink.resumeWrites();
                return;
            }
        } catch (IOException e) {
            fail(e, false);
            return;
        }
        complete();
    }

    private void complete() {
        if (finished) {
            return;
        }
        finished = true;
        detach();
        callback.completed(bytes);
    }

    private void fail(Throwable cause, boolean readSide) {
        if (finished) {
            return;
        }
        finished = true;
        detach();
        callback.failed(cause, readSide);
    }

    private void detach() {
        source.getReadSetter().set(null);
        sink.getWriteSetter().set(null);
        source.suspendReads();
        sink.suspendWrites();
        if (pooled != null) {
            pooled.close();
            pooled = null;
            buffer = null;
        }
    }
}
