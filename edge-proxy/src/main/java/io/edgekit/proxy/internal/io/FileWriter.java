package io.edgekit.proxy.internal.io;

import java.io.IOException;
import org.xnio.channels.StreamSinkChannel;

/**
 * Streams a region of a file to a sink channel without blocking on the socket: the sink pulls from the
 * file channel (page-cache reads), waiting for write readiness whenever the socket is full.
 */
public final class FileWriter {
    private FileWriter() {
    }

    public static void write(StreamSinkChannel sink, FileBody file, ChannelPump.Callback callback) {
        new SinkWriter(sink, file.length(), callback) {
            private long position = file.offset();
            private long remaining = file.length();

            @Override
            boolean writeSome(StreamSinkChannel sink) throws IOException {
                if (file.channel().size() < position + remaining) {
                    throw new IOException("the file shrank while it was sent");
                }
                while (remaining > 0) {
                    // some conduits read from the channel's own position whatever position they are given
                    file.channel().position(position);
                    long sent = sink.transferFrom(file.channel(), position, remaining);
                    if (sent == 0) {
                        return false;
                    }
                    position += sent;
                    remaining -= sent;
                }
                return true;
            }
        }.start();
    }
}
