package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Ticker;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.RecordingListener;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The edge's one clock: the runtime's timeouts and the listener's timings read the ticker the edge was given. */
@Timeout(30)
class EdgeClockIT extends EdgeServerFixture {
    @RegisterExtension
    final Backends backends = new Backends();

    @Test
    void upstreamTimeoutsAndTimingsRunOnTheEdgesTicker() throws Exception {
        AtomicLong reads = new AtomicLong();
        long offset = Long.MAX_VALUE / 4; // far from System.nanoTime(): any mix-up of clocks never times out
        Ticker shifted = () -> {
            reads.incrementAndGet();
            return System.nanoTime() + offset;
        };
        FaultyBackend silent = backends.faulty((socket, head) -> Thread.sleep(10_000));
        RecordingListener events = new RecordingListener();
        Upstream upstream = Upstream.named("silent").endpoint("127.0.0.1", silent.port()).build();
        Edge edge = Edge.builder().ticker(shifted).listener(events)
                .timeouts(Timeouts.DEFAULT.withResponseHeaders(Duration.ofMillis(300)))
                .route(Route.named("r").path("/**").to(upstream).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
        long start = System.nanoTime();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, response.statusCode());
        assertTrue(millis < 5000, "timed out after " + millis + " ms");
        Await.until("the completion", () -> events.completions().size() == 1);
        assertTrue(events.completions().get(0).startNanos() > offset, "the exchange's start is on the edge's ticker");
        assertTrue(reads.get() > 0);
    }
}
