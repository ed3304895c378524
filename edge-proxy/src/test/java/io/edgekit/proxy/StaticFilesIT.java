package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Static files over real sockets: validators, ranges, HEAD, types, compression, and no way out of the root. */
@Timeout(30)
class StaticFilesIT {
    @TempDir
    static Path temp;
    static Path root;
    static byte[] big;
    static EdgeServer server;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(temp.resolve("site"));
        Files.writeString(root.resolve("index.html"), "<html><body>" + "hello ".repeat(200) + "</body></html>");
        Files.writeString(root.resolve("notes.txt"), "0123456789abcdefghij");
        Files.setLastModifiedTime(root.resolve("notes.txt"), java.nio.file.attribute.FileTime.from(
                java.time.Instant.parse("2026-12-04T09:05:03Z"))); // a one-digit day of the month
        Files.createDirectories(root.resolve("sub dir"));
        Files.writeString(root.resolve("sub dir/a b.css"), "body{}");
        big = new byte[3 * 1024 * 1024 + 11];
        new Random(5).nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        Files.writeString(temp.resolve("secret.txt"), "outside the root");
        Files.createSymbolicLink(root.resolve("escape.txt"), temp.resolve("secret.txt"));
        Edge edge = Edge.builder()
                .filter(ProxyFilters.compression())
                .route(Route.named("static").path("/static/**").to(StaticFiles.directory(root)).build())
                .route(Route.named("bundled").path("/bundled/**")
                        .to(StaticFiles.classpath(StaticFilesIT.class.getClassLoader(), "bundled")).build())
                .route(Route.named("other").path("/**").to((ex, r) -> Response.of(200, "text/plain", "other " + r.path())
                        .completed()).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void servesFilesWithTypeValidatorsAndIndex() throws Exception {
        HttpResponse<byte[]> notes = get("/static/notes.txt");
        assertEquals(200, notes.statusCode());
        assertEquals("0123456789abcdefghij", text(notes));
        assertEquals("text/plain; charset=utf-8", notes.headers().firstValue("content-type").orElse(""));
        assertTrue(notes.headers().firstValue("etag").orElse("").startsWith("W/\""));
        assertEquals("Fri, 04 Dec 2026 09:05:03 GMT", notes.headers().firstValue("last-modified").orElse(""),
                "IMF-fixdate: the day has two digits");
        assertEquals("bytes", notes.headers().firstValue("accept-ranges").orElse(""));
        assertTrue(text(get("/static/")).startsWith("<html>"));
        assertEquals("body{}", text(get("/static/sub%20dir/a%20b.css")));
        assertEquals(404, get("/static/missing.txt").statusCode());
    }

    @Test
    void conditionalRequestsGet304() throws Exception {
        HttpResponse<byte[]> first = get("/static/notes.txt");
        String etag = first.headers().firstValue("etag").orElseThrow();
        assertEquals(304, get("/static/notes.txt", "If-None-Match", etag).statusCode());
        assertEquals(304, get("/static/notes.txt", "If-None-Match", "\"x\", " + etag).statusCode());
        assertEquals(200, get("/static/notes.txt", "If-None-Match", "\"other\"").statusCode());
        String lastModified = first.headers().firstValue("last-modified").orElseThrow();
        assertEquals(304, get("/static/notes.txt", "If-Modified-Since", lastModified).statusCode());
    }

    @Test
    void rangesAndHead() throws Exception {
        HttpResponse<byte[]> range = get("/static/notes.txt", "Range", "bytes=2-5");
        assertEquals(206, range.statusCode());
        assertEquals("2345", text(range));
        assertEquals("bytes 2-5/20", range.headers().firstValue("content-range").orElse(""));
        assertEquals("ghij", text(get("/static/notes.txt", "Range", "bytes=-4")));
        assertEquals("fghij", text(get("/static/notes.txt", "Range", "bytes=15-")));
        HttpResponse<byte[]> unsatisfiable = get("/static/notes.txt", "Range", "bytes=50-60");
        assertEquals(416, unsatisfiable.statusCode());
        assertEquals("bytes */20", unsatisfiable.headers().firstValue("content-range").orElse(""));
        assertEquals(200, get("/static/notes.txt", "Range", "bytes=0-1,4-5").statusCode());
        HttpResponse<byte[]> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/static/notes.txt")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals("20", head.headers().firstValue("content-length").orElse(""));
        assertEquals(0, head.body().length);
    }

    @Test
    void bigFilesStreamAndRangesCutThem() throws Exception {
        HttpResponse<byte[]> whole = get("/static/big.bin");
        assertArrayEquals(big, whole.body());
        HttpResponse<byte[]> tail = get("/static/big.bin", "Range", "bytes=3000000-");
        assertArrayEquals(Arrays.copyOfRange(big, 3_000_000, big.length), tail.body());
    }

    @Test
    void htmlIsGzippedForClientsThatAcceptIt() throws Exception {
        HttpResponse<byte[]> gz = get("/static/index.html", "Accept-Encoding", "gzip");
        assertEquals("gzip", gz.headers().firstValue("content-encoding").orElse(""));
        String html = new String(new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertTrue(html.startsWith("<html>"), html);
    }

    @Test
    void noWayOutOfTheRoot() throws Exception {
        assertEquals("other /secret.txt", text(get("/static/../secret.txt")));
        assertEquals(404, get("/static/escape.txt").statusCode());
        assertEquals(400, get("/static/..%2fsecret.txt").statusCode());
        assertEquals(400, get("/static/%2e%2e%5csecret.txt").statusCode());
        assertEquals(405, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/static/notes.txt")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void classpathResources() throws Exception {
        HttpResponse<byte[]> page = get("/bundled/");
        assertEquals(200, page.statusCode());
        assertTrue(text(page).contains("bundled page"));
        String etag = page.headers().firstValue("etag").orElseThrow();
        assertTrue(etag.startsWith("\""), etag);
        assertEquals(304, get("/bundled/index.html", "If-None-Match", etag).statusCode());
        assertEquals("bundled", text(get("/bundled/index.html", "Range", "bytes=0-6")));
        assertEquals(404, get("/bundled/nope.css").statusCode());
    }
}
