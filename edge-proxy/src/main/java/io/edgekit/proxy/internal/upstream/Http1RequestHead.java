package io.edgekit.proxy.internal.upstream;

import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.internal.HopByHop;
import java.nio.ByteBuffer;

/**
 * Encodes the head of a request to an HTTP/1.1 upstream straight from the edge's fields, in one
 * array sized up front: the client's fields without hop-by-hop and framing ones, then Host and the
 * framing the edge chose. A method, target or field that could split the head (CR, LF, NUL, other
 * controls, characters beyond Latin-1) is refused: filters may set fields, not smuggle requests.
 */
public final class Http1RequestHead {
    private Http1RequestHead() {
    }

    /**
     * The encoded head. {@code length} is the body's: -1 unknown (sent chunked), 0 none; {@code upgrade}
     * the protocol the client asked to switch to, or null.
     */
    static ByteBuffer encode(Request request, String host, long length, String upgrade) {
        return encode(request, host, length, upgrade, null);
    }

    /** As {@link #encode(Request, String, long, String)}, into {@code connection}'s reused head buffer. */
    static ByteBuffer encode(Request request, String host, long length, String upgrade, Http1Connection connection) {
        Headers source = request.headers();
        String method = request.method();
        String target = request.uri();
        String contentLength = length > 0 || (length == 0 && permitsBody(method)) ? Long.toString(length) : null;
        int size = method.length() + 1 + target.length() + 11 + 6 + host.length() + 2 + 2;
        for (int i = 0; i < source.size(); i++) { // every field: a bound, so each name is checked once, below
            size += source.name(i).length() + 2 + source.value(i).length() + 2;
        }
        if (contentLength != null) {
            size += 16 + contentLength.length() + 2;
        } else if (length < 0) {
            size += 28;
        }
        if (upgrade != null) {
            size += 21 + 9 + upgrade.length() + 2;
        }
        byte[] bytes = connection == null ? new byte[size] : connection.headBuffer(size);
        int at = put(bytes, 0, method, HeadChars.TOKEN);
        bytes[at++] = ' ';
        at = put(bytes, at, target, HeadChars.TARGET);
        at = constant(bytes, at, " HTTP/1.1\r\nHost: ");
        at = put(bytes, at, host, HeadChars.TARGET);
        at = crlf(bytes, at);
        for (int i = 0; i < source.size(); i++) {
            String name = source.name(i);
            if (forwarded(name)) {
                at = put(bytes, at, name, HeadChars.TOKEN);
                bytes[at++] = ':';
                bytes[at++] = ' ';
                at = put(bytes, at, source.value(i), HeadChars.VALUE);
                at = crlf(bytes, at);
            }
        }
        if (contentLength != null) {
            at = constant(bytes, at, "Content-Length: ");
            at = put(bytes, at, contentLength, HeadChars.TOKEN);
            at = crlf(bytes, at);
        } else if (length < 0) {
            at = constant(bytes, at, "Transfer-Encoding: chunked\r\n");
        }
        if (upgrade != null) {
            at = constant(bytes, at, "Connection: Upgrade\r\nUpgrade: ");
            at = put(bytes, at, upgrade, HeadChars.VALUE);
            at = crlf(bytes, at);
        }
        at = crlf(bytes, at);
        return connection == null ? ByteBuffer.wrap(bytes, 0, at) : connection.head(at);
    }

    private static boolean forwarded(String name) {
        return !HopByHop.isHopByHop(name) && !HopByHop.isFraming(name)
                && !(name.length() == 4 && name.equalsIgnoreCase("host"))
                && !(name.length() == 6 && name.equalsIgnoreCase("expect"));
    }

    private static boolean permitsBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    /** Copies {@code s} as Latin-1, refusing any character {@code kind} does not allow. */
    private static int put(byte[] bytes, int at, String s, byte kind) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xff || !HeadChars.allows(c, kind)) {
                throw new IllegalArgumentException("a request line or field holds a character it may not: 0x"
                        + Integer.toHexString(c));
            }
            bytes[at + i] = (byte) c;
        }
        return at + s.length();
    }

    private static int constant(byte[] bytes, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            bytes[at + i] = (byte) s.charAt(i);
        }
        return at + s.length();
    }

    private static int crlf(byte[] bytes, int at) {
        bytes[at] = '\r';
        bytes[at + 1] = '\n';
        return at + 2;
    }
}
