package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS listeners: PEM and PKCS#12, SNI, HTTP/2 by ALPN, TLS 1.2/1.3 only, certificate reload, session
 * resumption. Run with the JDK's engine here, and by {@code edge-tls-native} with BoringSSL (system property
 * {@code edgekit.tls.engine} names a class with a static {@code engine()}): the same tests for both.
 */
@Timeout(60)
class TlsIT {
    /** The engine under test. */
    static TlsEngine engine() throws ReflectiveOperationException {
        String name = System.getProperty("edgekit.tls.engine");
        return name == null ? TlsEngine.JDK : (TlsEngine) Class.forName(name).getMethod("engine").invoke(null);
    }

    @TempDir
    static Path dir;
    static Path localhost;
    static Path api;
    static Path wildcard;
    static Path reloaded;
    static Path[] defaultPem;
    static TestBackend backend;
    static EdgeServer server;
    static SSLContext trustAll;

    @BeforeAll
    static void start() throws Exception {
        localhost = TestCertificates.keyStore(dir, "localhost", "localhost", "dns:localhost,ip:127.0.0.1");
        api = TestCertificates.keyStore(dir, "api", "api.test", "dns:api.test");
        wildcard = TestCertificates.keyStore(dir, "wildcard", "*.wild.test", "dns:*.wild.test");
        reloaded = TestCertificates.keyStore(dir, "reloaded", "reloaded", "dns:localhost,ip:127.0.0.1");
        defaultPem = TestCertificates.pem(localhost, dir, "default");
        trustAll = TestCertificates.trusting(List.of(localhost, api, wildcard, reloaded));
        backend = TestBackend.start("tls-backend", exchange -> {
            byte[] body = exchange.getInputStream().readAllBytes();
            exchange.getResponseSender().send("proto=" + exchange.getRequestHeaders().getFirst("x-forwarded-proto")
                    + " body=" + new String(body, StandardCharsets.UTF_8));
        });
        TlsConfig tls = TlsConfig.builder()
                .certificate(defaultPem[0], defaultPem[1])
                .keyStore("api.test", api, TestCertificates.PASSWORD)
                .keyStore("*.wild.test", wildcard, TestCertificates.PASSWORD)
                .reloadEvery(Duration.ofMillis(100))
                .engine(engine())
                .build();
        Edge edge = Edge.builder().route(Route.named("r").path("/**")
                .to(Upstream.named("b").endpoint("127.0.0.1", backend.port()).build()).build()).build();
        server = EdgeServer.builder(edge).listenTls("127.0.0.1", 0, tls).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        backend.close();
    }

    private static HttpClient client(HttpClient.Version version) {
        return HttpClient.newBuilder().sslContext(trustAll).version(version).build();
    }

    private static URI uri(String path) {
        return URI.create("https://localhost:" + server.port() + path);
    }

    /** Handshakes with {@code sni} and returns the CN the edge presented and the protocol it agreed. */
    private static String[] handshake(String sni, String... protocols) throws Exception {
        // a fresh client context per handshake: no session resumption hides which certificate SNI picks
        SSLContext fresh = TestCertificates.trusting(List.of(localhost, api, wildcard, reloaded));
        try (SSLSocket socket = (SSLSocket) fresh.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(sni)));
            if (protocols.length > 0) {
                parameters.setProtocols(protocols);
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            X509Certificate presented = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            return new String[] {presented.getSubjectX500Principal().getName(), socket.getSession().getProtocol()};
        }
    }

    @Test
    void http2ByAlpnToAnHttp11Upstream() throws Exception {
        HttpResponse<String> response = client(HttpClient.Version.HTTP_2).send(HttpRequest.newBuilder(uri("/x"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        "streamed over h2".getBytes(StandardCharsets.UTF_8)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals("proto=https body=streamed over h2", response.body());
    }

    @Test
    void http11OverTls() throws Exception {
        HttpResponse<String> response = client(HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(uri("/y"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        assertEquals("proto=https body=", response.body());
    }

    @Test
    void sniChoosesTheCertificate() throws Exception {
        assertEquals("CN=api.test", handshake("api.test")[0]);
        assertEquals("CN=*.wild.test", handshake("a.wild.test")[0]);
        assertTrue(handshake("other.test")[0].matches("CN=(localhost|reloaded)"));
    }

    @Test
    void onlyTls12And13() throws Exception {
        assertEquals("TLSv1.3", handshake("api.test")[1]);
        assertEquals("TLSv1.2", handshake("api.test", "TLSv1.2")[1]);
    }

    @Test
    void changedFilesAreUsedByNewHandshakesWithoutDroppingConnections() throws Exception {
        try (SSLSocket old = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            old.startHandshake();
            OutputStream out = old.getOutputStream();
            InputStream in = old.getInputStream();
            out.write("GET /before HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(readResponse(in).startsWith("HTTP/1.1 200"));

            Path[] fresh = TestCertificates.pem(reloaded, dir, "default");
            Files.setLastModifiedTime(fresh[0], java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            Await.untilHolds("the reloaded certificate is presented", Duration.ofSeconds(10),
                    () -> handshake("localhost")[0].equals("CN=reloaded"));

            out.write("GET /after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(readResponse(in).startsWith("HTTP/1.1 200"), "the open connection still works");
        }
    }

    private static String readResponse(InputStream in) throws Exception {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                int cl = text.indexOf("Content-Length: ");
                if (cl < 0) {
                    cl = text.indexOf("content-length: ");
                }
                if (cl >= 0) {
                    int end = text.indexOf("\r\n", cl);
                    int length = Integer.parseInt(text.substring(cl + 16, end).trim());
                    if (text.length() >= headEnd + 4 + length) {
                        break;
                    }
                }
            }
        }
        return text.toString();
    }

    @Test
    void aPluggedEngineMakesTheContextAndSessionsResume() throws Exception {
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        TlsEngine tested = engine();
        TlsEngine counting = keys -> {
            made.incrementAndGet();
            return tested.serverContext(keys);
        };
        TlsConfig tls = TlsConfig.builder().certificate(defaultPem[0], defaultPem[1]).engine(counting)
                .sessionTimeout(Duration.ofSeconds(60)).build();
        Edge edge = Edge.builder().route(Route.named("r").path("/**")
                .to(Upstream.named("b").endpoint("127.0.0.1", backend.port()).build()).build()).build();
        EdgeServer own = EdgeServer.builder(edge).listenTls("127.0.0.1", 0, tls).build().start();
        try {
            assertEquals(1, made.get(), "the engine made the listener's context");
            javax.net.ssl.SSLContext client = TestCertificates.trusting(List.of(localhost, api, wildcard, reloaded));
            byte[] first = sessionId(client, own.port());
            assertTrue(java.util.Arrays.equals(first, sessionId(client, own.port())), "resumed within the timeout");
        } finally {
            own.shutdown(Duration.ofSeconds(1));
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TlsConfig.builder().sessionTimeout(Duration.ofDays(2)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TlsConfig.builder().sessionCacheSize(0));
    }

    @Test
    void aSessionIsNotResumedPastItsTimeout() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(engine() == TlsEngine.JDK
                        && !"false".equals(System.getProperty("jdk.tls.server.enableSessionTicketExtension")),
                "skipped: the JDK's engine accepts a TLS 1.2 ticket past the session timeout (SECURITY.md); this test runs "
                        + "again with -Djdk.tls.server.enableSessionTicketExtension=false (execution jdk-tls-without-tickets)");
        TlsConfig tls = TlsConfig.builder().certificate(defaultPem[0], defaultPem[1]).engine(engine())
                .sessionTimeout(Duration.ofSeconds(1)).build();
        Edge edge = Edge.builder().route(Route.named("r").path("/**")
                .to(Upstream.named("b").endpoint("127.0.0.1", backend.port()).build()).build()).build();
        EdgeServer own = EdgeServer.builder(edge).listenTls("127.0.0.1", 0, tls).build().start();
        try {
            javax.net.ssl.SSLContext client = TestCertificates.trusting(List.of(localhost, api, wildcard, reloaded));
            byte[] first = sessionId(client, own.port());
            assertTrue(java.util.Arrays.equals(first, sessionId(client, own.port())), "resumed within the timeout");
            Thread.sleep(2_200);
            assertTrue(!java.util.Arrays.equals(first, sessionId(client, own.port())),
                    "a full handshake once the session (or ticket) expired");
        } finally {
            own.shutdown(Duration.ofSeconds(1));
        }
    }

    /** A TLS 1.2 handshake (resumed by session id when the server still has the session); its session id. */
    private static byte[] sessionId(javax.net.ssl.SSLContext client, int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            return socket.getSession().getId();
        }
    }
}
