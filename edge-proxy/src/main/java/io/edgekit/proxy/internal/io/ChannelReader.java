package io.edgekit.proxy.internal.io;

import io.edgekit.core.Body;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.xnio.channels.StreamSourceChannel;

/** Reads a source channel to its end into memory, failing past a bound. Aggregation is the exception, not the
 * forwarding path, so it reads into a heap buffer of its own. Runs on the channel's IO thread. */
public final class ChannelReader {
    private final StreamSourceChannel source;
    /** A heap buffer, so its bytes can be copied out without another copy. */
    private final ByteBuffer scratch = ByteBuffer.allocate(16 * 1024);
    private final long limit;
    private final Activity activity;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream out;
    private boolean done;
    private final boolean spill;
    private boolean spilled;

    ChannelReader(StreamSourceChannel source, long limit, long expectedLength,
            Activity activity) {
        this(source, limit, expectedLength, activity, false);
    }

    /** With {@code spill}, passing the limit stops the reading instead of failing it: see {@link #spilled()}. */
    ChannelReader(StreamSourceChannel source, long limit, long expectedLength, Activity activity, boolean spill) {
        this.spill = spill;
        this.source = source;
        this.limit = limit;
        this.activity = activity;
        this.out = new ByteArrayOutputStream((int) Math.min(Math.max(expectedLength, 256), 1 << 20));
    }

    CompletableFuture<byte[]> start() {
        source.getReadSetter().set(channel -> run());
        run();
        return result;
    }

    private void run() {
        if (done) {
            return;
        }
        try {
            ByteBuffer buffer = scratch;
            for (;;) {
                buffer.clear();
                int read = source.read(buffer);
                if (read == -1) {
                    finish(null);
                    return;
                }
                if (read == 0) {
                    source.resumeReads();
                    return;
                }
                if (out.size() + (long) read > limit) {
                    if (spill) {
                        out.write(buffer.array(), 0, read); // kept: the rest of the body follows on the channel
                        spilled = true;
                        finish(null);
                    } else {
                        finish(new Body.TooLargeException(limit));
                    }
                    return;
                }
                activity.touch();
                out.write(buffer.array(), 0, read);
            }
        } catch (IOException e) {
            finish(e);
        }
    }

    /** True when the reading stopped at the limit: the result is a prefix, the channel holds the rest. */
    boolean spilled() {
        return spilled;
    }

    private void finish(Throwable error) {
        done = true;
        source.getReadSetter().set(null);
        source.suspendReads();
        if (error == null) {
            result.complete(out.toByteArray());
        } else {
            result.completeExceptionally(error);
        }
    }
}
