package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chunked request bodies are read exactly as RFC 9112 section 7.1 writes them, so the edge and a strict
 * origin always agree on where a request ends: each known smuggling shape is refused with 400 and a close
 * before anything of it (or of what follows on the connection) reaches the upstream, and a differential
 * fuzz holds the edge to a strict reference decoder written here from the grammar.
 */
@Timeout(120)
class ChunkedRequestIT {
    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final String QUOTED = "\"(?:[\\t \\x21\\x23-\\x5B\\x5D-\\x7E\\x80-\\xFF]|\\\\[\\t \\x21-\\x7E\\x80-\\xFF])*\"";
    /** chunk-size [ chunk-ext ], the CRLF cut off. */
    private static final Pattern CHUNK_LINE = Pattern.compile("([0-9A-Fa-f]+)(?:[ \\t]*;[ \\t]*" + TOKEN
            + "(?:[ \\t]*=[ \\t]*(?:" + TOKEN + "|" + QUOTED + "))?)*");
    /** field-line, the CRLF cut off. */
    private static final Pattern FIELD_LINE = Pattern.compile(TOKEN
            + ":[ \\t]*(?:[\\x21-\\x7E\\x80-\\xFF](?:[ \\t\\x21-\\x7E\\x80-\\xFF]*[\\x21-\\x7E\\x80-\\xFF])?)?[ \\t]*");

    static TestBackend backend;
    static EdgeServer server;
    /** Bodies the upstream read to their end. */
    static final List<byte[]> complete = new CopyOnWriteArrayList<>();
    static final AtomicInteger started = new AtomicInteger();
    static final AtomicInteger broken = new AtomicInteger();

    @BeforeAll
    static void start() {
        backend = TestBackend.start("strict", exchange -> {
            started.incrementAndGet();
            byte[] body;
            try {
                body = exchange.getInputStream().readAllBytes();
            } catch (IOException e) {
                broken.incrementAndGet(); // the edge gave up on the request: the upstream never saw its end
                throw e;
            }
            complete.add(body);
            byte[] answer = new byte[body.length + 2];
            answer[0] = 'B';
            answer[1] = ':';
            System.arraycopy(body, 0, answer, 2, body.length);
            exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_LENGTH, answer.length);
            exchange.getOutputStream().write(answer);
            exchange.getOutputStream().close();
        });
        Upstream upstream = Upstream.named("strict").endpoint("127.0.0.1", backend.port()).build();
        Edge edge = Edge.builder()
                .timeouts(Timeouts.DEFAULT.withIdle(Duration.ofMillis(500)))
                .route(Route.named("all").path("/**").to(upstream).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).maxConnectionsPerClient(1000).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        backend.close();
    }

    static final String HEAD = "POST /upload HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n";
    static final String NEXT = "GET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n";

    @ParameterizedTest
    @ValueSource(strings = {
        "3\r\nhello\r\n0\r\n\r\n", // the size says 3, five bytes follow
        "5\nhello\r\n0\r\n\r\n", // size line ended by a bare LF
        "5\r\nhello\n0\r\n\r\n", // data ended by a bare LF
        "5;a=b\nc\r\nhello\r\n0\r\n\r\n", // a bare LF inside an extension
        "5\r\nhello\r\n0\n\r\n", // last chunk ended by a bare LF
        "5\r\nhello\r\n0\r\n\n", // trailer section ended by a bare LF
        "5\r\nhello\r\n0\r\nx-t: 1\n\r\n", // a trailer line ended by a bare LF
        "5\r\nhello\r\n0\r\nbad trailer\r\n\r\n", // a trailer that is not a field
        "5 \r\nhello\r\n0\r\n\r\n", // whitespace that leads to no extension
        "5;\r\nhello\r\n0\r\n\r\n", // an extension with no name
        "5;a=\r\nhello\r\n0\r\n\r\n", // an extension with no value
        "5;a=\"b\r\nhello\r\n0\r\n\r\n", // an unterminated quoted value
        "5;a b\r\nhello\r\n0\r\n\r\n", // two names
        "0x5\r\nhello\r\n0\r\n\r\n", // not hex digits only
        "-5\r\nhello\r\n0\r\n\r\n",
        "\r\nhello\r\n0\r\n\r\n", // no size
        "10000000000000005\r\nhello\r\n0\r\n\r\n", // more than 15 digits
        "5\r\nhello\r\r\n0\r\n\r\n", // a bare CR after the data
        "5\rhello\r\n0\r\n\r\n", // a bare CR ends the size line
    })
    void aBodyThatBreaksTheGrammarIsRefusedAndNothingOfItReachesTheUpstream(String body) throws Exception {
        int before = complete.size();
        String answer = RawHttp.exchange(server.port(), HEAD + body + NEXT);
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.toLowerCase(Locale.ROOT).contains("connection: close"), answer);
        assertTrue(answer.contains("application/problem+json") && answer.contains("chunked request body"), answer);
        assertEquals(1, answer.split("HTTP/1.1 ").length - 1, "one answer, then the close: " + answer);
        Await.until("the upstream to finish with what it was sent", () -> started.get() == complete.size() + broken.get());
        assertEquals(before, complete.size(), "the upstream read no complete request");
        assertTrue(backend.seen.stream().noneMatch(seen -> seen.uri().equals("/smuggled")));
    }

    @Test
    void aStrictlyValidBodyWithExtensionsAndTrailersPassesAndTheNextRequestFollows() throws Exception {
        String body = "5;name=value;quoted=\"a\\\"b; c\" ; bare\r\nhello\r\n6\r\n world\r\n000;last\r\nx-sum: 42\r\n\r\n";
        String answer = RawHttp.exchange(server.port(), HEAD + body
                + "GET /after HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertTrue(answer.contains("B:hello world"), answer);
        assertEquals(2, answer.split("HTTP/1.1 200 ").length - 1, answer);
        assertTrue(answer.contains("B:"), answer);
    }

    /**
     * Random strictly valid bodies, and the same bodies with one byte inserted, dropped or replaced: the
     * upstream must receive exactly what the reference decoder reads, or the edge must refuse. A valid body
     * must always pass.
     */
    @Test
    void differentialFuzzAgainstAStrictReferenceDecoder() throws Exception {
        Random random = new Random(20261205L);
        int agreedRefusals = 0;
        int agreedBodies = 0;
        for (int i = 0; i < 400; i++) {
            byte[] valid = validBody(random);
            byte[] wire = i % 4 == 0 ? valid : mutate(valid, random);
            byte[] expected = reference(wire);
            Answer answer = send(wire);
            String what = "case " + i + ": " + printable(wire);
            if (wire == valid) {
                assertNotNull(expected, "the generator made an invalid body: " + what);
            }
            if (answer != null && answer.status == 200) {
                assertNotNull(expected, "the edge passed a body the reference refuses: " + what);
                assertArrayEquals(expected, answer.body, what);
                agreedBodies++;
            } else {
                assertNull(expected, "the edge refused (" + (answer == null ? "closed" : answer.status)
                        + ") a body the reference reads: " + what);
                assertTrue(answer == null || answer.status == 400 || answer.status == 408, what);
                agreedRefusals++;
            }
        }
        assertTrue(agreedBodies > 100 && agreedRefusals > 100, agreedBodies + " passed, " + agreedRefusals + " refused");
    }

    record Answer(int status, byte[] body) {
    }

    /** Sends the body on a new connection, half-closes, reads the first answer (null when none came). */
    private static Answer send(byte[] body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            socket.setSoTimeout(5000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.write(HEAD.getBytes(StandardCharsets.ISO_8859_1));
            request.write(body);
            socket.getOutputStream().write(request.toByteArray());
            socket.shutdownOutput(); // a body cut short ends here rather than at the idle timeout
            InputStream in = socket.getInputStream();
            String head;
            try {
                head = RawHttp.readHead(in);
            } catch (IOException e) {
                return null;
            }
            if (!head.startsWith("HTTP/1.1 ")) {
                return null;
            }
            int status = Integer.parseInt(head.substring(9, 12));
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] content = in.readNBytes(length);
            if (status == 200) {
                assertTrue(content.length >= 2 && content[0] == 'B' && content[1] == ':');
                byte[] echoed = new byte[content.length - 2];
                System.arraycopy(content, 2, echoed, 0, echoed.length);
                return new Answer(status, echoed);
            }
            return new Answer(status, content);
        }
    }

    /** The strict reference: the decoded data, or null when the bytes do not start with one chunked body. */
    static byte[] reference(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int p = 0;
        while (true) {
            int end = crlf(in, p);
            if (end < 0) {
                return null;
            }
            var m = CHUNK_LINE.matcher(new String(in, p, end - p, StandardCharsets.ISO_8859_1));
            if (!m.matches() || m.group(1).length() > 15) {
                return null;
            }
            long size = Long.parseLong(m.group(1), 16);
            p = end + 2;
            if (size == 0) {
                break;
            }
            if (in.length - p < size + 2) {
                return null;
            }
            out.write(in, p, (int) size);
            p += (int) size;
            if (in[p] != '\r' || in[p + 1] != '\n') {
                return null;
            }
            p += 2;
        }
        while (true) {
            int end = crlf(in, p);
            if (end < 0) {
                return null;
            }
            if (end == p) {
                return out.toByteArray(); // what follows would be the next request's
            }
            if (!FIELD_LINE.matcher(new String(in, p, end - p, StandardCharsets.ISO_8859_1)).matches()) {
                return null;
            }
            p = end + 2;
        }
    }

    private static int crlf(byte[] in, int from) {
        for (int i = from; i + 1 < in.length; i++) {
            if (in[i] == '\r' && in[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] validBody(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int chunks = random.nextInt(4);
        for (int c = 0; c <= chunks; c++) {
            boolean last = c == chunks;
            int size = last ? 0 : 1 + random.nextInt(random.nextBoolean() ? 20 : 300);
            String hex = Integer.toHexString(size);
            hex = random.nextInt(4) == 0 ? hex.toUpperCase(Locale.ROOT) : hex;
            hex = random.nextInt(6) == 0 ? "00" + hex : hex;
            write(out, hex + extensions(random) + "\r\n");
            for (int i = 0; i < size; i++) {
                // data may hold anything, CR and LF included
                out.write(random.nextInt(5) == 0 ? "\r\n0;x\"".charAt(random.nextInt(6)) : 'a' + random.nextInt(26));
            }
            if (!last) {
                write(out, "\r\n");
            }
        }
        int trailers = random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0;
        for (int t = 0; t < trailers; t++) {
            write(out, "x-t" + t + ":" + (random.nextBoolean() ? " " : "") + "v" + random.nextInt(100) + "\r\n");
        }
        write(out, "\r\n");
        return out.toByteArray();
    }

    private static String extensions(Random random) {
        StringBuilder ext = new StringBuilder();
        int n = random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0;
        for (int i = 0; i < n; i++) {
            ext.append(random.nextBoolean() ? " ; " : ";").append("e").append(i);
            switch (random.nextInt(3)) {
                case 0 -> ext.append("=v").append(random.nextInt(10));
                case 1 -> ext.append(random.nextBoolean() ? " = " : "=").append("\"q \\\" ;").append(i).append('"');
                default -> {
                }
            }
        }
        return ext.toString();
    }

    /** One byte inserted, dropped or replaced, from the bytes that matter to the grammar. */
    private static byte[] mutate(byte[] valid, Random random) {
        byte[] interesting = "\r\n \t;=\"\\0aFg:\u0000\u007f".getBytes(StandardCharsets.ISO_8859_1);
        int at = random.nextInt(valid.length);
        byte b = interesting[random.nextInt(interesting.length)];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (random.nextInt(3)) {
            case 0 -> {
                out.write(valid, 0, at);
                out.write(b);
                out.write(valid, at, valid.length - at);
            }
            case 1 -> {
                out.write(valid, 0, at);
                out.write(valid, at + 1, valid.length - at - 1);
            }
            default -> {
                out.write(valid, 0, at);
                out.write(b);
                out.write(valid, at + 1, valid.length - at - 1);
            }
        }
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            s.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : c < 0x20 || c >= 0x7f ? String.format("\\x%02x", c)
                    : String.valueOf((char) c));
        }
        return s.toString();
    }

    @Test
    void theReferenceItselfRefusesTheKnownShapes() {
        assertNotNull(reference("5\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        for (String bad : List.of("3\r\nhello\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n", "5;a=b\nc\r\nhello\r\n0\r\n\r\n")) {
            if (reference(bad.getBytes(StandardCharsets.ISO_8859_1)) != null) {
                fail("the reference accepts " + bad);
            }
        }
    }
}
