package io.edgekit.core.internal;

import io.edgekit.core.Body;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An in-memory body. The array is owned by this object and never handed out for writing. */
public final class BytesBody implements Body {
    public static final BytesBody EMPTY = new BytesBody(new byte[0]);

    private final byte[] bytes;

    public BytesBody(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The bytes themselves, for the runtime to write: callers must not modify them. */
    public byte[] unsafeBytes() {
        return bytes;
    }

    @Override
    public long length() {
        return bytes.length;
    }

    @Override
    public CompletionStage<byte[]> aggregate(long maxBytes) {
        if (bytes.length > maxBytes) {
            return CompletableFuture.failedFuture(new TooLargeException(maxBytes));
        }
        return CompletableFuture.completedFuture(bytes.clone());
    }

    @Override
    public String toString() {
        return "Body[" + bytes.length + " bytes]";
    }
}
