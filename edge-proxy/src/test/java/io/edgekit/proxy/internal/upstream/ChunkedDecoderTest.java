package io.edgekit.proxy.internal.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The chunked decoder without sockets: whole, in pieces of every size, trailers, and refused framing. */
class ChunkedDecoderTest {
    private static final long SEED = 20261205L;

    /** Decodes {@code wire} fed in pieces of at most {@code piece} bytes into a buffer of {@code room}. */
    private static String decode(ChunkedDecoder decoder, String wire, int piece, int room) throws IOException {
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer src = ByteBuffer.allocate(bytes.length);
        src.flip();
        int fed = 0;
        while (!decoder.isDone()) {
            if (!src.hasRemaining()) {
                if (fed == bytes.length) {
                    break;
                }
                int n = Math.min(piece, bytes.length - fed);
                src.clear();
                src.put(bytes, fed, n).flip();
                fed += n;
            }
            ByteBuffer dst = ByteBuffer.allocate(room);
            decoder.decode(src, dst);
            out.write(dst.array(), 0, dst.position());
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String decode(String wire) throws IOException {
        return decode(ChunkedDecoder.lenient(1024), wire, Integer.MAX_VALUE, 1 << 16);
    }

    @Test
    void decodesChunksWithExtensionsAndBareLineFeeds() throws IOException {
        ChunkedDecoder decoder = ChunkedDecoder.lenient(1024);
        assertEquals("hello world", decode(decoder, "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 1000, 100));
        assertTrue(decoder.isDone());
        assertNull(decoder.trailers());
        assertEquals("abc", decode("3\nabc\n0\n\n"));
        assertEquals("", decode("0\r\n\r\n"));
    }

    @Test
    void readsTrailerFields() throws IOException {
        ChunkedDecoder decoder = ChunkedDecoder.lenient(1024);
        assertEquals("ab", decode(decoder, "2\r\nab\r\n0\r\ngrpc-status: 0\r\ngrpc-message: ok\r\n\r\n", 3, 1));
        assertEquals("0", decoder.trailers().getFirst("grpc-status"));
        assertEquals("ok", decoder.trailers().getFirst("grpc-message"));
    }

    @Test
    void leavesWhatFollowsTheBodyInTheSource() throws IOException {
        ChunkedDecoder decoder = ChunkedDecoder.lenient(1024);
        ByteBuffer src = ByteBuffer.wrap("1\r\nx\r\n0\r\n\r\nHTTP/1.1 200".getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer dst = ByteBuffer.allocate(64);
        assertEquals(1, decoder.decode(src, dst));
        assertTrue(decoder.isDone());
        assertEquals("HTTP/1.1 200", StandardCharsets.ISO_8859_1.decode(src).toString());
    }

    @Test
    void refusesBadFraming() {
        assertEquals("invalid chunk size", refused("z\r\n"));
        assertEquals("missing chunk size", refused("\r\n"));
        assertEquals("bare CR in a chunk-size line", refused("3\rabc"));
        assertEquals("chunk size too large", refused("1000000000000000\r\n"));
        assertEquals("chunk data not followed by CRLF", refused("3\r\nabcde\r\n"));
        assertEquals("chunk-size line too long", refused("1;" + "x".repeat(5000) + "\r\n"));
        assertEquals("trailer section too large", refused("0\r\nx-a: " + "b".repeat(2000) + "\r\n\r\n"));
    }

    private static String refused(String wire) {
        return assertThrows(Http1ResponseHead.ProtocolException.class, () -> decode(wire)).getMessage();
    }

    @Test
    void anyWayOfCuttingTheBytesDecodesTheSame() throws IOException {
        Random random = new Random(SEED);
        for (int round = 0; round < 300; round++) {
            StringBuilder wire = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int c = random.nextInt(5); c >= 0; c--) {
                int size = 1 + random.nextInt(40);
                String data = randomText(random, size);
                wire.append(Integer.toHexString(size)).append(random.nextBoolean() ? ";ext=1" : "").append("\r\n")
                        .append(data).append("\r\n");
                expected.append(data);
            }
            wire.append("0\r\n\r\n");
            int piece = 1 + random.nextInt(20);
            int room = 1 + random.nextInt(20);
            ChunkedDecoder decoder = ChunkedDecoder.lenient(1024);
            assertEquals(expected.toString(), decode(decoder, wire.toString(), piece, room),
                    "seed " + SEED + " round " + round);
            assertTrue(decoder.isDone());
        }
    }

    @Test
    void aTruncatedBodyIsNotDone() throws IOException {
        ChunkedDecoder decoder = ChunkedDecoder.lenient(1024);
        assertEquals("ab", decode(decoder, "5\r\nab", 100, 100));
        assertFalse(decoder.isDone());
    }

    @Test
    void strictModeReadsTheGrammarInAnyPiecesAndRefusesWhatLenientModeForgives() throws IOException {
        String wire = "5;a=b ; c = \"x\\\"y;\"\r\nhello\r\n6\r\n world\r\n0;end\r\nx-sum: 1\r\n\r\n";
        for (int piece = 1; piece <= wire.length(); piece++) {
            ChunkedDecoder decoder = ChunkedDecoder.strict(1024);
            assertEquals("hello world", decode(decoder, wire, piece, 3), "pieces of " + piece);
            assertTrue(decoder.isDone());
            assertEquals("1", decoder.trailers().getFirst("x-sum"));
        }
        for (String bad : new String[] {"3\nabc\r\n0\r\n\r\n", "3\r\nabc\n0\r\n\r\n", "3;a=b\nc\r\nabc\r\n0\r\n\r\n",
            "3 \r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\n0\r\nx: 1\n\r\n", "3\r\nabc\r\n0\r\n\n"}) {
            assertEquals("hello", decode(ChunkedDecoder.lenient(1024), "5\r\nhello\r\n0\r\n\r\n", 100, 100));
            for (int piece = 1; piece <= bad.length(); piece++) {
                int size = piece;
                assertThrows(IOException.class, () -> decode(ChunkedDecoder.strict(1024), bad, size, 100), bad);
            }
        }
    }

    private static String randomText(Random random, int size) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < size; i++) {
            text.append((char) (random.nextInt(256)));
        }
        return text.toString();
    }
}
