package io.edgekit.proxy.internal.io;

import io.edgekit.core.Body;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A region of an open file, streamed by the runtime straight from the file channel to the client. The
 * channel is opened (and closed on failure) off the IO thread by whoever makes the body; the writer
 * closes it when the response is done.
 */
public final class FileBody implements Body {
    private final FileChannel channel;
    private final long offset;
    private final long length;

    public FileBody(FileChannel channel, long offset, long length) {
        this.channel = channel;
        this.offset = offset;
        this.length = length;
    }

    public FileChannel channel() {
        return channel;
    }

    public long offset() {
        return offset;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public CompletionStage<byte[]> aggregate(long maxBytes) {
        if (length > maxBytes || length > Integer.MAX_VALUE - 8) {
            return CompletableFuture.failedFuture(new TooLargeException(maxBytes));
        }
        try {
            ByteBuffer buffer = ByteBuffer.allocate((int) length);
            long position = offset;
            while (buffer.hasRemaining()) {
                int read = channel.read(buffer, position);
                if (read < 0) {
                    break;
                }
                position += read;
            }
            return CompletableFuture.completedFuture(buffer.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "Body[file region, " + length + " bytes]";
    }
}
