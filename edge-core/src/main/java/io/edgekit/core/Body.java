package io.edgekit.core;

import io.edgekit.core.internal.BytesBody;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * A request or response body. Bodies stream by default: a body read from the network is passed from
 * the inbound to the outbound connection without being held in memory, unless a filter asks for its
 * bytes with {@link #aggregate(long)}, which is bounded. In-memory bodies come from {@link #of}.
 *
 * <p>A streamed body can be consumed once: either the runtime forwards it, or a filter aggregates it
 * (after which the aggregated bytes are forwarded).
 */
public interface Body {

    /** The body's length in bytes, or -1 when it is not known before the body has been read. */
    long length();

    /** True when the body is known to have no bytes. */
    default boolean isEmpty() {
        return length() == 0;
    }

    /**
     * All bytes of the body, read without blocking. Completes exceptionally with
     * {@link TooLargeException} when the body has more than {@code maxBytes} bytes; the edge answers
     * that with 413.
     */
    CompletionStage<byte[]> aggregate(long maxBytes);

    /**
     * Reads the body into memory when it has at most {@code maxBytes}; otherwise stops at the bound and
     * gives back a body that still holds every byte (those read so far, then the rest of the stream), so
     * nothing is lost. For caches and replay buffers that keep only what is small enough.
     */
    default CompletionStage<Buffered> buffer(long maxBytes) {
        if (length() > maxBytes) {
            return java.util.concurrent.CompletableFuture.completedFuture(new Buffered(null, this));
        }
        return aggregate(maxBytes).thenApply(bytes -> new Buffered(bytes, Body.of(bytes)));
    }

    /**
     * Gives the body up unread: a streamed body's connection is closed rather than read to its end, an
     * in-memory body is dropped. For a response nobody will forward (a hedge that lost, an attempt that is
     * retried). Does nothing on a body already consumed.
     */
    default void discard() {
    }

    /** What {@link #buffer} found: the whole body in memory, or ({@code bytes} null) a body to stream on. */
    record Buffered(byte[] bytes, Body body) {
        public boolean isComplete() {
            return bytes != null;
        }
    }

    static Body empty() {
        return BytesBody.EMPTY;
    }

    static Body of(byte[] bytes) {
        return bytes.length == 0 ? BytesBody.EMPTY : new BytesBody(bytes.clone());
    }

    static Body of(String text) {
        return new BytesBody(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The client stopped sending its body for longer than the idle timeout. Carries no stack trace. */
    final class StalledException extends RuntimeException {
        public StalledException() {
            super("the request body stalled", null, false, false);
        }
    }

    /**
     * The client's body broke its framing (a chunked body that does not follow RFC 9112's grammar): the edge
     * answers 400 and closes the connection. Carries no stack trace.
     */
    final class MalformedException extends java.io.IOException {
        public MalformedException(String message) {
            super(message, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** A body exceeded the bound a reader set for it. Carries no stack trace. */
    final class TooLargeException extends RuntimeException {
        private final long maxBytes;

        public TooLargeException(long maxBytes) {
            super("body larger than " + maxBytes + " bytes", null, false, false);
            this.maxBytes = maxBytes;
        }

        public long maxBytes() {
            return maxBytes;
        }
    }
}
