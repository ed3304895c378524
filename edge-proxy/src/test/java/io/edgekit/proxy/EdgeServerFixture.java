package io.edgekit.proxy;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What several integration tests share: the edge under test (set by each test), a real HTTP client,
 * and the backends to close after each test, once the edge has shut down.
 */
abstract class EdgeServerFixture {
    final List<AutoCloseable> closeables = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    EdgeServer server;

    @AfterEach
    void stopEdgeAndBackends() throws Exception {
        if (server != null) {
            server.shutdown(Duration.ofMillis(200));
        }
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }
}
