package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.observe.UpstreamFailureLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real upstream failures, each told once per endpoint and kind with its cause: a name that does not resolve, a refused port. */
@Timeout(60)
class UpstreamFailureLogIT {
    @Test
    void dnsAndRefusedConnectionsAreToldApartAndNotRepeated() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        int closed = RawHttp.closedPort();
        Edge edge = Edge.builder()
                .listener(UpstreamFailureLog.to(lines::add, Duration.ofMinutes(1).toNanos(), System::nanoTime))
                .route(Route.named("dns").path("/dns/**").to(Upstream.named("nowhere")
                        .endpoint("upstream.nonexistent.invalid", 80).build()).build())
                .route(Route.named("refused").path("/refused/**").to(Upstream.named("closed")
                        .endpoint("127.0.0.1", closed).build()).build())
                .build();
        EdgeServer server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 5; i++) {
                for (String path : List.of("/dns/x", "/refused/x")) {
                    int status = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                            .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    assertEquals(502, status, path);
                }
            }
            Await.until("both lines", () -> lines.size() >= 2);
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.contains("upstream 'nowhere' endpoint upstream.nonexistent.invalid:80 (route 'dns'): DNS:"
                    + " could not resolve upstream.nonexistent.invalid"), lines.toString());
            assertTrue(lines.contains("upstream 'closed' endpoint 127.0.0.1:" + closed + " (route 'refused'):"
                    + " connection refused or unreachable"), lines.toString());
        } finally {
            server.shutdown(Duration.ofSeconds(1));
        }
    }
}
