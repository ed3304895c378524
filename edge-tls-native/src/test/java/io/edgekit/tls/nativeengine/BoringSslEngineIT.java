package io.edgekit.tls.nativeengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.proxy.EdgeServer;
import io.edgekit.proxy.TlsConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The BoringSSL engine behind a real TLS listener: HTTP/1.1, HTTP/2 by ALPN, TLS 1.3 and 1.2, session-ticket
 * key rotation. (The proxy's TLS tests run against this engine too.)
 */
@Timeout(60)
class BoringSslEngineIT {
    static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String type) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String type) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    @Test
    void servesHttp11AndHttp2OverBoringSsl() throws Exception {
        Assumptions.assumeTrue(BoringSslEngine.isAvailable(), "skipped: BoringSSL does not load on this machine");
        Edge edge = Edge.builder().route(Route.named("r").path("/**")
                .to((ex, r) -> Response.of(200, "text/plain", "ok " + r.path()).completed()).build()).build();
        EdgeServer server = EdgeServer.builder(edge).listenTls("127.0.0.1", 0, TlsConfig.builder().selfSigned("127.0.0.1")
                .engine(BoringSslEngine.engine()).build()).build().start();
        try {
            SSLContext trust = trustAll();
            for (HttpClient.Version version : new HttpClient.Version[] {HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2}) {
                HttpResponse<String> response = HttpClient.newBuilder().sslContext(trust).version(version).build()
                        .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/x")).build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                assertEquals("ok /x", response.body());
                assertEquals(version, response.version());
            }
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", server.port())) {
                    socket.setEnabledProtocols(new String[] {protocol});
                    socket.startHandshake();
                    assertEquals(protocol, socket.getSession().getProtocol());
                    assertTrue(socket.getSession().getPeerCertificates().length >= 1);
                }
            }
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    @Test
    void ticketKeysRotateAndATicketTwoRotationsOldNoLongerResumes() throws Exception {
        Assumptions.assumeTrue(BoringSslEngine.isAvailable(), "skipped: BoringSSL does not load on this machine");
        Edge edge = Edge.builder().route(Route.named("r").path("/**")
                .to((ex, r) -> Response.of(200, "text/plain", "ok").completed()).build()).build();
        EdgeServer server = EdgeServer.builder(edge).listenTls("127.0.0.1", 0, TlsConfig.builder().selfSigned("127.0.0.1")
                .sessionTimeout(Duration.ofSeconds(60)).engine(BoringSslEngine.engine(Duration.ofSeconds(1))).build())
                .build().start();
        try {
            SSLContext early = trustAll();
            SSLContext kept = trustAll();
            byte[] earlyId = sessionId(early, server.port());
            byte[] keptId = sessionId(kept, server.port());
            assertArrayEquals(keptId, sessionId(kept, server.port()), "resumed under the same key");
            Thread.sleep(1_300);
            assertArrayEquals(keptId, sessionId(kept, server.port()), "this handshake rotated the key; the previous one still decrypts");
            Thread.sleep(1_300);
            sessionId(trustAll(), server.port()); // rotates again: the first key is gone
            assertFalse(Arrays.equals(earlyId, sessionId(early, server.port())), "a ticket two keys old gets a full handshake");
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
        assertThrows(IllegalArgumentException.class, () -> BoringSslEngine.engine(Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> BoringSslEngine.engine(Duration.ofDays(2)));
    }

    /** A TLS 1.2 handshake (resumed when the server accepts the client's ticket or session id); its session id. */
    private static byte[] sessionId(SSLContext client, int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            return socket.getSession().getId();
        }
    }
}
