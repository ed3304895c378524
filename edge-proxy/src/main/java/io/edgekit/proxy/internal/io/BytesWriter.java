package io.edgekit.proxy.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.channels.StreamSinkChannel;

/** Writes an in-memory body to a sink channel without blocking, then shuts the sink down and flushes. */
public final class BytesWriter {
    private BytesWriter() {
    }

    public static void write(StreamSinkChannel sink, byte[] bytes, Activity activity, ChannelPump.Callback callback) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        new SinkWriter(sink, bytes.length, callback) {
            @Override
            boolean writeSome(StreamSinkChannel sink) throws IOException {
                while (buffer.hasRemaining()) {
                    if (sink.write(buffer) == 0) {
                        return false;
                    }
                    activity.touch();
                }
                return true;
            }
        }.start();
    }
}
