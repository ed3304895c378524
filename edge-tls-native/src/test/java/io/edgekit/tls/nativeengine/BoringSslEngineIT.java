package io.edgekit.tls.nativeengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The BoringSSL engine behind a real TLS listener: HTTP/1.1, HTTP/2 by ALPN, TLS 1.3 and 1.2. */
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
}
