package io.edgekit.proxy.internal.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An upstream's HTTP/1.x response head, parsed strictly (RFC 9112): status line, field lines ending in
 * CRLF (a bare LF is accepted, a bare CR is not), token names with no space before the colon, values
 * without control characters, no obsolete line folding. What frames the body is read out on the way:
 * Content-Length (repeated or listed values must agree), Transfer-Encoding and the Connection options.
 */
public final class Http1ResponseHead {
    /** A response head that breaks the grammar or contradicts itself; the connection cannot go on. */
    static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super(message);
        }
    }

    /** Field names most responses carry, so that parsing them allocates nothing. */
    private static final String[] KNOWN = {
        "Date", "Server", "Content-Type", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding",
        "Cache-Control", "ETag", "Last-Modified", "Expires", "Vary", "Content-Encoding", "Location",
        "Set-Cookie", "Accept-Ranges", "Age", "Trailer", "Upgrade", "Content-Range", "Content-Language",
        "Strict-Transport-Security", "X-Content-Type-Options", "Access-Control-Allow-Origin", "Pragma",
    };
    private static final String CONTENT_LENGTH = KNOWN[3];
    private static final String CONNECTION = KNOWN[4];
    private static final String TRANSFER_ENCODING = KNOWN[6];
    private static final byte[][] KNOWN_LOWER = new byte[KNOWN.length][];

    /** Indexes into {@link #KNOWN} by name length. */
    private static final int[][] KNOWN_BY_LENGTH = new int[32][];

    static {
        for (int i = 0; i < KNOWN.length; i++) {
            KNOWN_LOWER[i] = KNOWN[i].toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        }
        for (int length = 0; length < KNOWN_BY_LENGTH.length; length++) {
            final int n = length;
            KNOWN_BY_LENGTH[length] = java.util.stream.IntStream.range(0, KNOWN.length)
                    .filter(k -> KNOWN[k].length() == n).toArray();
        }
    }

    final int status;
    final boolean http10;
    /** name at 2i, value at 2i + 1, as received. */
    final String[] fields;
    final int size;
    /** The Content-Length, or -1 when there is none. */
    final long contentLength;
    final boolean hasTransferEncoding;
    /** Whether the last transfer coding is chunked. */
    final boolean chunked;
    final boolean connectionClose;
    final boolean connectionKeepAlive;
    /** Whether a Connection field names anything besides close and keep-alive. */
    final boolean connectionNamesFields;

    private Http1ResponseHead(int status, boolean http10, String[] fields, int size, long contentLength,
            boolean hasTransferEncoding, boolean chunked, boolean close, boolean keepAlive, boolean namesFields) {
        this.status = status;
        this.http10 = http10;
        this.fields = fields;
        this.size = size;
        this.contentLength = contentLength;
        this.hasTransferEncoding = hasTransferEncoding;
        this.chunked = chunked;
        this.connectionClose = close;
        this.connectionKeepAlive = keepAlive;
        this.connectionNamesFields = namesFields;
    }

    /** Whether the connection may carry another request after this response (RFC 9112 section 9.3). */
    boolean persistent() {
        return http10 ? connectionKeepAlive && !connectionClose : !connectionClose;
    }

    /**
     * Where the head in {@code bytes[from, to)} ends: the index just past its empty line, or -1 when the
     * empty line has not arrived yet.
     */
    static int end(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                if (i + 1 < to && bytes[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < to && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /** Parses the head in {@code bytes[from, end)}, which {@link #end} found complete. */
    static Http1ResponseHead parse(byte[] bytes, int from, int end) throws ProtocolException {
        int pos = from;
        if (end - pos < 12 || bytes[pos] != 'H' || bytes[pos + 1] != 'T' || bytes[pos + 2] != 'T'
                || bytes[pos + 3] != 'P' || bytes[pos + 4] != '/' || bytes[pos + 5] != '1' || bytes[pos + 6] != '.'
                || (bytes[pos + 7] != '0' && bytes[pos + 7] != '1') || bytes[pos + 8] != ' ') {
            throw new ProtocolException("not an HTTP/1.x status line");
        }
        boolean http10 = bytes[pos + 7] == '0';
        pos += 9;
        int status = 0;
        for (int i = 0; i < 3; i++) {
            byte b = bytes[pos + i];
            if (b < '0' || b > '9') {
                throw new ProtocolException("invalid status code");
            }
            status = status * 10 + (b - '0');
        }
        pos += 3;
        if (status < 100) {
            throw new ProtocolException("invalid status code");
        }
        if (pos < end && bytes[pos] != ' ' && bytes[pos] != '\r' && bytes[pos] != '\n') {
            throw new ProtocolException("invalid status line");
        }
        pos = next(bytes, lineEnd(bytes, pos, end, "invalid reason phrase"));
        return fields(bytes, pos, end, status, http10);
    }

    /** The field lines in {@code bytes[pos, end)}, up to and including the empty line: trailers too. */
    static Http1ResponseHead fields(byte[] bytes, int pos, int end, int status, boolean http10)
            throws ProtocolException {
        int lineEnd;
        String[] fields = new String[16];
        int size = 0;
        long contentLength = -1;
        boolean hasTransferEncoding = false;
        boolean chunked = false;
        boolean close = false;
        boolean keepAlive = false;
        boolean namesFields = false;
        while (true) {
            if (pos >= end) {
                throw new ProtocolException("unterminated head");
            }
            byte first = bytes[pos];
            if (first == '\n' || (first == '\r' && pos + 1 < end && bytes[pos + 1] == '\n')) {
                break; // the empty line
            }
            if (first == ' ' || first == '\t') {
                throw new ProtocolException("obsolete line folding");
            }
            // one pass over the line: the name's characters, the colon, the value's, the line's end
            int colon = pos;
            while (colon < end && bytes[colon] != ':') {
                if (!HeadChars.allows(bytes[colon] & 0xff, HeadChars.TOKEN)) {
                    throw new ProtocolException("invalid field name");
                }
                colon++;
            }
            if (colon == pos || colon == end) {
                throw new ProtocolException("invalid field line");
            }
            int valueStart = colon + 1;
            while (valueStart < end && (bytes[valueStart] == ' ' || bytes[valueStart] == '\t')) {
                valueStart++;
            }
            lineEnd = lineEnd(bytes, valueStart, end, "invalid field value");
            int valueEnd = lineEnd;
            while (valueEnd > valueStart && (bytes[valueEnd - 1] == ' ' || bytes[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            String name = name(bytes, pos, colon);
            String value = new String(bytes, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1);
            if (2 * size == fields.length) {
                fields = java.util.Arrays.copyOf(fields, fields.length * 2);
            }
            fields[2 * size] = name;
            fields[2 * size + 1] = value;
            size++;
            if (name == CONTENT_LENGTH) { // known names come out as these very strings, whatever their case
                contentLength = contentLength(value, contentLength);
            } else if (name == TRANSFER_ENCODING) {
                hasTransferEncoding = true;
                chunked = lastCodingIsChunked(value);
            } else if (name == CONNECTION) {
                if (value.equalsIgnoreCase("keep-alive")) {
                    keepAlive = true; // what nearly every upstream sends: no list to split
                } else {
                    for (String token : value.split(",")) {
                        String t = token.trim();
                        if (t.equalsIgnoreCase("close")) {
                            close = true;
                        } else if (t.equalsIgnoreCase("keep-alive")) {
                            keepAlive = true;
                        } else if (!t.isEmpty()) {
                            namesFields = true;
                        }
                    }
                }
            }
            pos = next(bytes, lineEnd);
        }
        return new Http1ResponseHead(status, http10, fields, size, contentLength, hasTransferEncoding, chunked,
                close, keepAlive, namesFields);
    }

    /**
     * The index of the CR or LF ending the line whose rest starts at {@code pos}, checking on the way that
     * each byte may stand in a field value or reason phrase (HTAB, SP, visible ASCII, obs-text: RFC 9110
     * section 5.5); a bare CR, a missing line end or any other byte is an error ({@code invalid} for the last).
     */
    private static int lineEnd(byte[] bytes, int pos, int end, String invalid) throws ProtocolException {
        for (int i = pos; i < end; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                return i;
            }
            if (b == '\r') {
                if (i + 1 < end && bytes[i + 1] == '\n') {
                    return i;
                }
                throw new ProtocolException("bare CR in the response head");
            }
            if (!HeadChars.allows(b & 0xff, HeadChars.VALUE)) {
                throw new ProtocolException(invalid);
            }
        }
        throw new ProtocolException("unterminated line");
    }

    private static int next(byte[] bytes, int lineEnd) {
        return bytes[lineEnd] == '\r' ? lineEnd + 2 : lineEnd + 1;
    }

    private static String name(byte[] bytes, int from, int to) {
        int length = to - from;
        if (length < KNOWN_BY_LENGTH.length) {
            for (int k : KNOWN_BY_LENGTH[length]) {
                if (equalsLower(bytes, from, KNOWN_LOWER[k])) {
                    return KNOWN[k];
                }
            }
        }
        return new String(bytes, from, length, StandardCharsets.ISO_8859_1);
    }

    private static boolean equalsLower(byte[] bytes, int from, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            int b = bytes[from + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** Parses one Content-Length field (a list of equal values is allowed) against an earlier one. */
    private static long contentLength(String value, long earlier) throws ProtocolException {
        long length = -1;
        int start = 0;
        while (start <= value.length()) { // one value, or a list of equal ones; read in place, no substrings
            int comma = value.indexOf(',', start);
            int stop = comma < 0 ? value.length() : comma;
            int from = start;
            int to = stop;
            while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
                from++;
            }
            while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
                to--;
            }
            long parsed = digits(value, from, to);
            if (parsed < 0) {
                throw new ProtocolException("invalid content-length from upstream");
            }
            if (length >= 0 && parsed != length) {
                throw new ProtocolException("differing content-length values from upstream");
            }
            length = parsed;
            start = stop + 1;
        }
        if (earlier >= 0 && earlier != length) {
            throw new ProtocolException("differing content-length values from upstream");
        }
        return length;
    }

    /** The decimal number in {@code s[from, to)}: 1 to 18 digits, nothing else; -1 otherwise. */
    private static long digits(String s, int from, int to) {
        if (to == from || to - from > 18) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static boolean lastCodingIsChunked(String value) {
        int comma = value.lastIndexOf(',');
        String last = (comma < 0 ? value : value.substring(comma + 1)).trim();
        int semicolon = last.indexOf(';');
        if (semicolon >= 0) {
            last = last.substring(0, semicolon).trim();
        }
        return last.equalsIgnoreCase("chunked");
    }
}
