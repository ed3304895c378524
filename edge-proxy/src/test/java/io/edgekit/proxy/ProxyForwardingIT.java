package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ProxyForwardingIT {
    static TestBackend a;
    static TestBackend b;
    static EdgeServer server;
    static HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        a = TestBackend.echo("a");
        b = TestBackend.echo("b");
        Upstream api = Upstream.named("api").endpoint("127.0.0.1", a.port()).endpoint("127.0.0.1", b.port()).build();
        Edge edge = Edge.builder()
                .route(Route.named("api").path("/api/**").to(api).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(2).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        a.close();
        b.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void balancesRoundRobinAcrossTwoUpstreams() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get("/api/whoami");
            assertEquals(200, response.statusCode());
            bodies.add(response.body());
        }
        assertEquals(3, bodies.stream().filter(s -> s.equals("a /api/whoami")).count(), bodies.toString());
        assertEquals(3, bodies.stream().filter(s -> s.equals("b /api/whoami")).count(), bodies.toString());
    }

    @Test
    void answersUnknownPathWith404Problem() throws Exception {
        HttpResponse<String> response = get("/nope");
        assertEquals(404, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""));
        String id = response.headers().firstValue("x-request-id").orElseThrow();
        assertTrue(response.body().contains("\"requestId\":\"" + id + "\""), response.body());
        assertNull(null);
    }
}
