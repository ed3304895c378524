package io.edgekit.proxy.internal.io;

import io.edgekit.core.Body;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSourceChannel;

/**
 * A body that is still on the wire: the inbound request body or an upstream's response body. The
 * runtime splices it to its destination untouched; a filter that asks for its bytes gets a bounded
 * aggregate, after which the aggregate is what goes on. Owned by one IO thread.
 */
public final class ChannelBody implements Body {
    /** Told when the body has been read to its end or abandoned, so its connection can be reused or closed. */
    public interface Owner {
        void bodyCompleted();

        void bodyFailed(Throwable cause);

        void bodyDiscarded();
    }

    private final Supplier<StreamSourceChannel> channel;
    private final long length;
    private final XnioIoThread ioThread;
    private final long hardLimit;
    private final Owner owner;
    private final Activity activity;
    private CompletableFuture<byte[]> aggregate;
    private boolean taken;
    /** Bytes already read from the channel that come before the rest of it, or null. */
    private final byte[] prefix;
    /** The body this one continues after a {@link #buffer} stopped at its bound (itself otherwise). */
    private final ChannelBody origin;

    public ChannelBody(Supplier<StreamSourceChannel> channel, long length, XnioIoThread ioThread, long hardLimit,
            Owner owner, Activity activity) {
        this(channel, length, ioThread, hardLimit, owner, activity, null, null);
    }

    private ChannelBody(Supplier<StreamSourceChannel> channel, long length, XnioIoThread ioThread, long hardLimit,
            Owner owner, Activity activity, byte[] prefix, ChannelBody origin) {
        this.prefix = prefix;
        this.origin = origin == null ? this : origin;
        this.channel = channel;
        this.length = length;
        this.ioThread = ioThread;
        this.hardLimit = hardLimit;
        this.owner = owner;
        this.activity = activity;
    }

    @Override
    public long length() {
        if (aggregate != null && aggregate.isDone() && !aggregate.isCompletedExceptionally()) {
            return aggregate.join().length;
        }
        return length;
    }

    @Override
    public synchronized CompletionStage<byte[]> aggregate(long maxBytes) {
        if (aggregate == null && prefix != null) {
            return CompletableFuture.failedFuture(new TooLargeException(maxBytes)); // already past a bound
        }
        if (aggregate == null) {
            if (length > maxBytes) {
                return CompletableFuture.failedFuture(new TooLargeException(maxBytes));
            }
            long limit = Math.min(maxBytes, hardLimit);
            aggregate = new CompletableFuture<>();
            taken = true;
            IoThreads.run(ioThread, () -> startAggregate(limit));
        }
        return aggregate.thenApply(bytes -> {
            if (bytes.length > maxBytes) {
                throw new TooLargeException(maxBytes);
            }
            return bytes.clone();
        });
    }

    private void startAggregate(long limit) {
        new ChannelReader(channel.get(), limit, length, activity).start().whenComplete((bytes, error) -> {
            if (owner != null) {
                if (error == null) {
                    owner.bodyCompleted();
                } else {
                    owner.bodyFailed(error);
                }
            }
            if (error == null) {
                aggregate.complete(bytes);
            } else {
                aggregate.completeExceptionally(error instanceof TooLargeException ? error
                        : new io.edgekit.core.UpstreamException(io.edgekit.core.Outcome.Kind.RESET, 502,
                                "body read failed"));
            }
        });
    }

    /** The body as it came from the wire, which this one may continue. */
    public ChannelBody origin() {
        return origin;
    }

    /** What was read before a {@link #buffer} stopped at its bound; written before the channel's bytes. */
    public byte[] prefix() {
        return prefix;
    }

    @Override
    public synchronized CompletionStage<Buffered> buffer(long maxBytes) {
        if (aggregate != null || prefix != null) {
            return Body.super.buffer(maxBytes);
        }
        if (length > maxBytes) {
            return CompletableFuture.completedFuture(new Buffered(null, this));
        }
        taken = true;
        CompletableFuture<Buffered> result = new CompletableFuture<>();
        Runnable read = () -> {
            StreamSourceChannel source = channel.get();
            ChannelReader reader = new ChannelReader(source, maxBytes, length, activity, true);
            reader.start().whenComplete((bytes, error) -> {
                if (error != null) {
                    if (owner != null) {
                        owner.bodyFailed(error);
                    }
                    result.completeExceptionally(new io.edgekit.core.UpstreamException(
                            io.edgekit.core.Outcome.Kind.RESET, 502, "body read failed"));
                } else if (reader.spilled()) {
                    result.complete(new Buffered(null, new ChannelBody(() -> source, length, ioThread, hardLimit,
                            owner, activity, bytes, origin)));
                } else {
                    if (owner != null) {
                        owner.bodyCompleted();
                    }
                    result.complete(new Buffered(bytes, Body.of(bytes)));
                }
            });
        };
        IoThreads.run(ioThread, read);
        return result;
    }

    /**
     * Gives the body up unread: its owner is told on the IO thread, and an upstream connection is then
     * closed rather than read to its end. Nothing happens if the body was already read or taken.
     */
    @Override
    public synchronized void discard() {
        if (taken) {
            return;
        }
        taken = true;
        if (owner != null) {
            IoThreads.run(ioThread, owner::bodyDiscarded);
        }
    }

    /** True while nobody has read the body: the runtime may splice it. */
    public synchronized boolean isUntouched() {
        return !taken;
    }

    /** Takes the channel to splice it elsewhere; call only when {@link #isUntouched()}. */
    public synchronized StreamSourceChannel take() {
        taken = true;
        return channel.get();
    }

    /** The aggregate, once a filter asked for it. */
    public synchronized CompletableFuture<byte[]> aggregated() {
        return aggregate;
    }

    long hardLimit() {
        return hardLimit;
    }

    public Owner owner() {
        return owner;
    }

    @Override
    public String toString() {
        return "Body[streamed, " + (length < 0 ? "unknown length" : length + " bytes") + "]";
    }
}
