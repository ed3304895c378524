package io.edgekit.proxy.internal.io;

import java.io.IOException;
import org.xnio.channels.StreamSinkChannel;

/**
 * Writes a body whose bytes are all at hand to a sink channel without blocking: writes what the sink
 * takes, waits for write readiness when it is full, then shuts the sink down, flushes, and reports once.
 */
public abstract class SinkWriter implements Runnable {
    private final StreamSinkChannel sink;
    private final ChannelPump.Callback callback;
    private final long total;
    private boolean done;

    SinkWriter(StreamSinkChannel sink, long total, ChannelPump.Callback callback) {
        this.sink = sink;
        this.total = total;
        this.callback = callback;
    }

    /** Writes what the sink takes now; true once every byte is written. */
    abstract boolean writeSome(StreamSinkChannel sink) throws IOException;

    final void start() {
        sink.getWriteSetter().set(channel -> run());
        run();
    }

    @Override
    public final void run() {
        if (done) {
            return;
        }
        try {
            if (!writeSome(sink)) {
                sink.resumeWrites();
                return;
            }
            sink.shutdownWrites();
            if (!sink.flush()) {
                sink.resumeWrites();
                return;
            }
        } catch (IOException e) {
            finish();
            callback.failed(e, false);
            return;
        }
        finish();
        callback.completed(total);
    }

    private void finish() {
        done = true;
        sink.getWriteSetter().set(null);
        sink.suspendWrites();
    }
}
