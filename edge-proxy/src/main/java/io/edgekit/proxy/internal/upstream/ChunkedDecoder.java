package io.edgekit.proxy.internal.upstream;

import io.edgekit.proxy.internal.io.HeaderNames;
import io.undertow.util.HeaderMap;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Decodes a chunked body (RFC 9112 section 7.1) as its bytes arrive, in any pieces: chunk-size lines (hex,
 * at most 15 digits, extensions skipped, CRLF or LF), chunk data followed by CRLF, then the trailer
 * section, bounded and parsed with the response-head rules. Bad framing is a
 * {@link Http1ResponseHead.ProtocolException}. Not thread-safe; one per body.
 */
final class ChunkedDecoder {
    private static final int SIZE = 0;
    private static final int DATA = 1;
    private static final int DATA_END = 2;
    private static final int TRAILERS = 3;
    private static final int MAX_CHUNK_LINE = 4096;

    private final int maxTrailerBytes;
    private int state = SIZE;
    /** Bytes left of the current chunk. */
    private long remaining;
    private int digits;
    private int lineBytes;
    private boolean inExtension;
    private boolean sawCr;
    private byte[] trailerBytes;
    private int trailerLength;
    private HeaderMap trailers;
    private boolean done;

    ChunkedDecoder(int maxTrailerBytes) {
        this.maxTrailerBytes = maxTrailerBytes;
    }

    /** True once the last chunk and the trailer section have been read. */
    boolean isDone() {
        return done;
    }

    /** The trailer fields, once done; null when there were none. */
    HeaderMap trailers() {
        return trailers;
    }

    /**
     * Consumes framing and data from {@code src} and puts the data into {@code dst}, as far as both
     * allow and until the body ends (what follows the body stays in {@code src}). Returns the data bytes
     * put into {@code dst}.
     */
    int decode(ByteBuffer src, ByteBuffer dst) throws IOException {
        int total = 0;
        while (src.hasRemaining() && dst.hasRemaining() && !done) {
            switch (state) {
                case SIZE -> sizeLine(src);
                case DATA -> {
                    int n = (int) Math.min(Math.min(src.remaining(), dst.remaining()), remaining);
                    int limit = src.limit();
                    src.limit(src.position() + n);
                    dst.put(src);
                    src.limit(limit);
                    total += n;
                    if ((remaining -= n) == 0) {
                        state = DATA_END;
                    }
                }
                case DATA_END -> dataEnd(src);
                default -> trailerLines(src);
            }
        }
        return total;
    }

    /** Consumes the chunk-size line as far as it has arrived. */
    private void sizeLine(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            byte b = src.get();
            if (++lineBytes > MAX_CHUNK_LINE) {
                throw bad("chunk-size line too long");
            }
            if (b == '\n') {
                if (digits == 0) {
                    throw bad("missing chunk size");
                }
                digits = 0;
                lineBytes = 0;
                inExtension = false;
                sawCr = false;
                if (remaining == 0) {
                    state = TRAILERS;
                    trailerBytes = new byte[256];
                    trailerLength = 0;
                } else {
                    state = DATA;
                }
                return;
            }
            if (sawCr) {
                throw bad("bare CR in a chunk-size line");
            }
            if (b == '\r') {
                sawCr = true;
                continue;
            }
            if (inExtension) {
                continue; // chunk extensions are ignored
            }
            int digit = Character.digit(b, 16);
            if (digit >= 0) {
                if (++digits > 15) {
                    throw bad("chunk size too large");
                }
                remaining = remaining * 16 + digit;
            } else if (b == ';' || b == ' ' || b == '\t') {
                inExtension = true;
            } else {
                throw bad("invalid chunk size");
            }
        }
    }

    private void dataEnd(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            byte b = src.get();
            if (b == '\n') {
                state = SIZE;
                lineBytes = 0;
                return;
            }
            if (b != '\r' || lineBytes++ > 0) {
                throw bad("chunk data not followed by CRLF");
            }
        }
    }

    private void trailerLines(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            byte b = src.get();
            if (trailerLength == trailerBytes.length) {
                if (trailerLength >= maxTrailerBytes) {
                    throw bad("trailer section too large");
                }
                trailerBytes = java.util.Arrays.copyOf(trailerBytes, trailerLength * 2);
            }
            trailerBytes[trailerLength++] = b;
            if (b == '\n' && (trailerLength == 1 || (trailerLength == 2 && trailerBytes[0] == '\r')
                    || Http1ResponseHead.end(trailerBytes, Math.max(0, trailerLength - 3), trailerLength)
                            == trailerLength)) {
                if (trailerLength > 2) {
                    Http1ResponseHead fields = Http1ResponseHead.fields(trailerBytes, 0, trailerLength, 200, false);
                    HeaderMap map = new HeaderMap();
                    for (int i = 0; i < fields.size; i++) {
                        map.add(HeaderNames.of(fields.fields[2 * i]), fields.fields[2 * i + 1]);
                    }
                    trailers = map;
                }
                trailerBytes = null;
                done = true;
                return;
            }
        }
    }

    private static IOException bad(String why) {
        return new Http1ResponseHead.ProtocolException(why);
    }
}
