package io.edgekit.proxy.internal.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The own HTTP/1.1 client's head codec: what it accepts from upstreams and what it writes to them. */
public class Http1HeadsTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Http1ResponseHead parse(String head) throws Exception {
        byte[] b = bytes(head);
        int end = Http1ResponseHead.end(b, 0, b.length);
        assertEquals(b.length, end, "the whole head is one head");
        return Http1ResponseHead.parse(b, 0, end);
    }

    @Test
    void findsTheEndOfAHeadWithCrlfOrBareLf() {
        byte[] crlf = bytes("HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody");
        assertEquals(crlf.length - 4, Http1ResponseHead.end(crlf, 0, crlf.length));
        byte[] lf = bytes("HTTP/1.1 200 OK\nA: b\n\nbody");
        assertEquals(lf.length - 4, Http1ResponseHead.end(lf, 0, lf.length));
        byte[] partial = bytes("HTTP/1.1 200 OK\r\nA: b\r\n\r");
        assertEquals(-1, Http1ResponseHead.end(partial, 0, partial.length));
    }

    @Test
    void parsesStatusFieldsAndFraming() throws Exception {
        Http1ResponseHead head = parse("HTTP/1.1 201 Created\r\ncontent-TYPE:  text/plain \r\nX-Custom: a\tb\r\n"
                + "Content-Length: 12\r\nConnection: keep-alive, X-Hop\r\n\r\n");
        assertEquals(201, head.status);
        assertFalse(head.http10);
        assertEquals(4, head.size);
        assertEquals("Content-Type", head.fields[0], "a known name comes out in one spelling");
        assertEquals("text/plain", head.fields[1], "optional whitespace around the value is dropped");
        assertEquals("X-Custom", head.fields[2]);
        assertEquals("a\tb", head.fields[3]);
        assertEquals(12, head.contentLength);
        assertTrue(head.connectionKeepAlive);
        assertTrue(head.connectionNamesFields);
        assertTrue(head.persistent());
    }

    @Test
    void persistenceFollowsVersionAndConnection() throws Exception {
        assertFalse(parse("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n").persistent());
        assertFalse(parse("HTTP/1.0 200 OK\r\n\r\n").persistent());
        assertTrue(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n").persistent());
        assertTrue(parse("HTTP/1.1 204 \r\n\r\n").persistent(), "an empty reason phrase is allowed");
        assertTrue(parse("HTTP/1.1 204\r\n\r\n").persistent(), "so is none");
    }

    @Test
    void transferCodingsAndRepeatedLengths() throws Exception {
        Http1ResponseHead chunked = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n");
        assertTrue(chunked.hasTransferEncoding);
        assertTrue(chunked.chunked);
        Http1ResponseHead notLast = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
        assertTrue(notLast.hasTransferEncoding);
        assertFalse(notLast.chunked, "chunked must be the last coding to frame the body");
        assertEquals(5, parse("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n").contentLength);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 200 O\u0000K\r\n\r\n",
        "HTTP/1.1 200 OK\r\nFolded: a\r\n b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nSpace : before colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad\u0001Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: bare\rCR\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: nul\u0000\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
    })
    void refusesWhatBreaksTheGrammar(String head) {
        byte[] b = bytes(head);
        int end = Http1ResponseHead.end(b, 0, b.length);
        assertThrows(Http1ResponseHead.ProtocolException.class, () -> Http1ResponseHead.parse(b, 0, end), head);
    }

    private static String encode(Request request, long length, String upgrade) {
        ByteBuffer head = Http1RequestHead.encode(request, "backend:8080", length, upgrade);
        return new String(head.array(), head.position(), head.remaining(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void requestHeadCarriesTheClientsFieldsButNotTheHopByHopOnesOrItsFraming() {
        Request request = Request.of("GET", "/a?b=c").withHeaders(Headers.of("Accept", "*/*", "Connection", "close",
                "Host", "client", "Content-Length", "7", "Expect", "100-continue", "X-Tab", "a\tb"));
        assertEquals("GET /a?b=c HTTP/1.1\r\nHost: backend:8080\r\nAccept: */*\r\nX-Tab: a\tb\r\n\r\n",
                encode(request, 0, null));
    }

    @Test
    void requestHeadFramesTheBodyTheEdgeSends() {
        Request post = Request.of("POST", "/p").withHeaders(Headers.of());
        assertEquals("POST /p HTTP/1.1\r\nHost: backend:8080\r\nContent-Length: 0\r\n\r\n", encode(post, 0, null));
        assertEquals("POST /p HTTP/1.1\r\nHost: backend:8080\r\nContent-Length: 42\r\n\r\n", encode(post, 42, null));
        assertEquals("POST /p HTTP/1.1\r\nHost: backend:8080\r\nTransfer-Encoding: chunked\r\n\r\n",
                encode(post, -1, null));
        Request ws = Request.of("GET", "/ws").withHeaders(Headers.of("Sec-WebSocket-Key", "k"));
        assertEquals("GET /ws HTTP/1.1\r\nHost: backend:8080\r\nSec-WebSocket-Key: k\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\n\r\n", encode(ws, 0, "websocket"));
    }

    @Test
    void requestHeadRefusesWhatCouldSplitIt() {
        for (String value : new String[] {"a\r\nInjected: 1", "a\nb", "nul\u0000", "wide\u0100"}) {
            Request request = Request.of("GET", "/").withHeaders(Headers.of("X-Bad", value));
            assertThrows(IllegalArgumentException.class, () -> encode(request, 0, null), value);
        }
        Request badName = Request.of("GET", "/").withHeaders(Headers.of("X Bad", "v"));
        assertThrows(IllegalArgumentException.class, () -> encode(badName, 0, null));
        Request badTarget = Request.of("GET", "/a b").withHeaders(Headers.of());
        assertThrows(IllegalArgumentException.class, () -> encode(badTarget, 0, null));
    }
}
