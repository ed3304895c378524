package io.edgekit.proxy.internal.upstream;

import io.edgekit.proxy.internal.io.HeaderNames;
import io.undertow.util.HeaderMap;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Decodes a chunked body (RFC 9112 section 7.1) as its bytes arrive, in any pieces: chunk-size lines (hex,
 * at most 15 digits), chunk data followed by CRLF, then the trailer section, bounded and parsed with the
 * response-head rules. Bad framing is an {@link IOException} naming what was wrong. Not thread-safe; one
 * per body.
 *
 * <p>Two modes. Upstream responses are read {@linkplain #lenient leniently} where RFC 9112 allows a
 * recipient to be (a bare LF ends a line, extensions are skipped unread). Request bodies are read
 * {@linkplain #strict strictly}, since the edge and the origin behind it must agree exactly on where a
 * request ends: every line ends in CRLF, chunk data is followed by exactly CRLF, extensions follow the
 * {@code chunk-ext} grammar (tokens and quoted strings, whitespace only before {@code ;} and around
 * {@code =}), and trailer lines end in CRLF.
 */
public final class ChunkedDecoder {
    private static final int SIZE = 0;
    private static final int DATA = 1;
    private static final int DATA_END = 2;
    private static final int TRAILERS = 3;
    private static final int MAX_CHUNK_LINE = 4096;
    // where a strict chunk-size line is (X_SIZE: in or just after the digits)
    private static final int X_SIZE = 0;
    private static final int X_WS_SEMI = 1; // whitespace that must lead to ';'
    private static final int X_WS_NAME = 2; // after ';': whitespace, then a name
    private static final int X_NAME = 3;
    private static final int X_WS_EQUALS = 4; // whitespace after a name: '=' or ';' next
    private static final int X_WS_VALUE = 5; // after '=': whitespace, then a value
    private static final int X_TOKEN = 6;
    private static final int X_QUOTED = 7;
    private static final int X_ESCAPE = 8;
    private static final int X_AFTER_QUOTED = 9;

    private final boolean strict;
    private int ext;

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

    private ChunkedDecoder(int maxTrailerBytes, boolean strict) {
        this.maxTrailerBytes = maxTrailerBytes;
        this.strict = strict;
    }

    /** A decoder for an upstream's response body: bare LF ends a line, extensions are skipped. */
    static ChunkedDecoder lenient(int maxTrailerBytes) {
        return new ChunkedDecoder(maxTrailerBytes, false);
    }

    /** A decoder for a client's request body: exactly the RFC 9112 grammar, anything else refused. */
    public static ChunkedDecoder strict(int maxTrailerBytes) {
        return new ChunkedDecoder(maxTrailerBytes, true);
    }

    /** True once the last chunk and the trailer section have been read. */
    public boolean isDone() {
        return done;
    }

    /** The trailer fields, once done; null when there were none. */
    public HeaderMap trailers() {
        return trailers;
    }

    /**
     * Consumes framing and data from {@code src} and puts the data into {@code dst}, as far as both
     * allow and until the body ends (what follows the body stays in {@code src}). Returns the data bytes
     * put into {@code dst}.
     */
    public int decode(ByteBuffer src, ByteBuffer dst) throws IOException {
        int total = 0;
        while (src.hasRemaining() && dst.hasRemaining() && !done) {
            switch (state) {
                case SIZE -> {
                    if (strict) {
                        strictSizeLine(src);
                    } else {
                        sizeLine(src);
                    }
                }
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
                inExtension = false;
                sizeLineEnded();
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

    /** A chunk-size line ended: the chunk's data follows, or the trailer section after the last chunk. */
    private void sizeLineEnded() {
        digits = 0;
        lineBytes = 0;
        sawCr = false;
        if (remaining == 0) {
            state = TRAILERS;
            trailerBytes = new byte[256];
            trailerLength = 0;
        } else {
            state = DATA;
        }
    }

    /** A chunk-size line in strict mode: hex digits, the extension grammar, CRLF. */
    private void strictSizeLine(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            int b = src.get() & 0xff;
            if (++lineBytes > MAX_CHUNK_LINE) {
                throw bad("chunk-size line too long");
            }
            if (sawCr) {
                if (b != '\n') {
                    throw bad("bare CR in a chunk-size line");
                }
                ext = X_SIZE;
                sizeLineEnded();
                return;
            }
            if (b == '\r') {
                if (digits == 0) {
                    throw bad("missing chunk size");
                }
                if (ext != X_SIZE && ext != X_NAME && ext != X_TOKEN && ext != X_AFTER_QUOTED) {
                    throw bad("chunk extension cut short");
                }
                sawCr = true;
                continue;
            }
            if (b == '\n') {
                throw bad("chunk-size line not ended by CRLF");
            }
            boolean space = b == ' ' || b == '\t';
            ext = switch (ext) {
                case X_SIZE -> {
                    int digit = Character.digit(b, 16);
                    if (digit >= 0) {
                        if (++digits > 15) {
                            throw bad("chunk size too large");
                        }
                        remaining = remaining * 16 + digit;
                        yield X_SIZE;
                    }
                    if (digits == 0) {
                        throw bad("missing chunk size");
                    }
                    yield afterValue(b, space);
                }
                case X_WS_SEMI -> afterValue(b, space);
                case X_WS_NAME -> space ? X_WS_NAME : token(b, X_NAME);
                case X_NAME -> space ? X_WS_EQUALS : b == '=' ? X_WS_VALUE : b == ';' ? X_WS_NAME : token(b, X_NAME);
                case X_WS_EQUALS -> space ? X_WS_EQUALS : b == '=' ? X_WS_VALUE : b == ';' ? X_WS_NAME
                        : fail("invalid chunk extension");
                case X_WS_VALUE -> space ? X_WS_VALUE : b == '"' ? X_QUOTED : token(b, X_TOKEN);
                case X_TOKEN -> space ? X_WS_SEMI : b == ';' ? X_WS_NAME : token(b, X_TOKEN);
                case X_QUOTED -> b == '"' ? X_AFTER_QUOTED : b == '\\' ? X_ESCAPE
                        : b == '\t' || (b >= 0x20 && b != 0x7f) ? X_QUOTED : fail("invalid quoted chunk extension");
                case X_ESCAPE -> b == '\t' || (b >= 0x20 && b != 0x7f) ? X_QUOTED
                        : fail("invalid quoted chunk extension");
                default -> afterValue(b, space); // X_AFTER_QUOTED
            };
        }
    }

    /** After a size, a value or whitespace that must lead to the next extension. */
    private static int afterValue(int b, boolean space) throws IOException {
        return space ? X_WS_SEMI : b == ';' ? X_WS_NAME : fail("invalid chunk extension");
    }

    private static int token(int b, int next) throws IOException {
        return HeadChars.allows(b, HeadChars.TOKEN) ? next : fail("invalid chunk extension");
    }

    private static int fail(String why) throws IOException {
        throw bad(why);
    }

    private void dataEnd(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            byte b = src.get();
            if (b == '\n') {
                if (strict && lineBytes == 0) {
                    throw bad("chunk data not followed by CRLF");
                }
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
            if (strict && (b == '\n') != (trailerLength > 1 && trailerBytes[trailerLength - 2] == '\r')) {
                throw bad(b == '\n' ? "trailer line not ended by CRLF" : "bare CR in the trailer section");
            }
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
