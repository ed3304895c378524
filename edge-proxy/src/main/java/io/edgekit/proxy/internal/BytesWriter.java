package io.edgekit.proxy.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.channels.StreamSinkChannel;

/** Writes an in-memory body to a sink channel without blocking, then shuts the sink down and flushes. */
final class BytesWriter {
    private BytesWriter() {
    }

    static void write(StreamSinkChannel sink, byte[] bytes, Activity activity, ChannelPump.Callback callback) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        Runnable step = new Runnable() {
            private boolean done;

            @Override
            public void run() {
                if (done) {
                    return;
                }
                try {
                    while (buffer.hasRemaining()) {
                        if (sink.write(buffer) == 0) {
                            sink.resumeWrites();
                            return;
                        }
                        activity.touch();
                    }
                    sink.shutdownWrites();
                    if (!sink.flush()) {
                        sink.resumeWrites();
                        return;
                    }
                } catch (IOException e) {
                    done = true;
                    sink.getWriteSetter().set(null);
                    sink.suspendWrites();
                    callback.failed(e, false);
                    return;
                }
                done = true;
                sink.getWriteSetter().set(null);
                sink.suspendWrites();
                callback.completed(bytes.length);
            }
        };
        sink.getWriteSetter().set(channel -> step.run());
        step.run();
    }
}
