package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import io.edgekit.core.testing.RecordingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The exchange listener seam, in memory: each event, in order, exactly once; listeners compose. */
@Timeout(20)
class ExchangeListenerTest {
    private static final Upstream API = Upstream.named("api")
            .endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80).build();

    @Test
    void routedExchangeTellsEveryEventInOrder() {
        RecordingListener events = new RecordingListener();
        Policy open = Policy.named("open", (ex, r) -> Decision.allow().withIdentity(Identity.of("alice")).completed());
        Edge edge = Edge.builder().listener(events)
                .route(Route.named("api").path("/api/**").policy(open).to(API).build()).build();
        InMemoryTransport transport = new InMemoryTransport()
                .serve("10.0.0.1:80", (ex, r) -> Response.of(200, "text/plain", "hello").completed());
        Response response = new EdgeTester(edge, transport).send(Request.get("/api/x"));

        assertEquals(200, response.status());
        assertEquals(List.of("headReceived", "routed api", "policy open allow",
                "attemptStarted FIRST 10.0.0.1:80", "attemptEnded FIRST 10.0.0.1:80 RESPONSE 200",
                "head 200", "completed 200"), events.last());
        Completion completion = events.completions().get(0);
        assertEquals("api", completion.routeId().get());
        assertEquals(Endpoint.of("10.0.0.1", 80), completion.endpoint().get());
        assertEquals("alice", completion.identity().get().subject());
        assertEquals(5, completion.bytesOut());
        assertTrue(completion.totalNanos() >= 0);
    }

    @Test
    void edgesOwnAnswersAndDenialsReachTheListener() {
        RecordingListener events = new RecordingListener();
        Policy deny = Policy.named("deny", (ex, r) -> Decision.deny(403, "Forbidden", "no").completed());
        Edge edge = Edge.builder().listener(events)
                .paths(PathOptions.DEFAULT.withPathParameters(PathOptions.Action.REJECT))
                .route(Route.named("closed").path("/closed").policy(deny).to(API).build()).build();
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport());
        assertEquals(404, tester.send(Request.get("/nowhere")).status());
        assertEquals(400, tester.send(Request.get("/admin;x")).status());
        assertEquals(403, tester.send(Request.get("/closed")).status());

        List<List<String>> all = events.exchanges();
        assertEquals(List.of("headReceived", "noRoute", "head 404", "completed 404"), all.get(0));
        assertEquals(List.of("headReceived", "noRoute", "head 400", "completed 400"), all.get(1));
        assertEquals(List.of("headReceived", "routed closed", "policy deny deny", "head 403", "completed 403"),
                all.get(2));
        assertTrue(events.completions().get(2).endpoint().isEmpty());
    }

    @Test
    void retriedAttemptIsTold() {
        RecordingListener events = new RecordingListener();
        Edge edge = Edge.builder().listener(events).route(Route.named("api").path("/**").to(API).build()).build();
        InMemoryTransport transport = new InMemoryTransport().refuse("10.0.0.1:80")
                .serve("10.0.0.2:80", (ex, r) -> Response.of(204).completed());
        assertEquals(204, new EdgeTester(edge, transport).send(Request.get("/")).status());
        assertEquals(List.of("headReceived", "routed api",
                "attemptStarted FIRST 10.0.0.1:80", "attemptEnded FIRST 10.0.0.1:80 CONNECT_FAILED",
                "attemptStarted RETRY 10.0.0.2:80", "attemptEnded RETRY 10.0.0.2:80 RESPONSE 204",
                "head 204", "completed 204"), events.last());
        assertEquals(Endpoint.of("10.0.0.2", 80), events.completions().get(0).endpoint().get());
    }

    @Test
    void mirrorIsAnAttemptOfItsOwnKind() {
        RecordingListener events = new RecordingListener();
        Upstream shadow = Upstream.named("shadow").endpoint("10.0.9.9", 80).build();
        Edge edge = Edge.builder().listener(events)
                .route(Route.named("api").path("/**").mirror(shadow, 1.0).to(API).build()).build();
        InMemoryTransport transport = new InMemoryTransport()
                .serve("10.0.0.1:80", (ex, r) -> Response.of(200).completed())
                .serve("10.0.9.9:80", (ex, r) -> Response.of(202).completed());
        new EdgeTester(edge, transport).send(Request.get("/"));
        List<String> last = events.last();
        assertTrue(last.contains("attemptStarted MIRROR 10.0.9.9:80"), last.toString());
        assertTrue(last.contains("attemptEnded MIRROR 10.0.9.9:80 RESPONSE 202"), last.toString());
        assertEquals(Endpoint.of("10.0.0.1", 80), events.completions().get(0).endpoint().get());
    }

    @Test
    void severalListenersAreToldInOrderAndOneThatThrowsDoesNotSilenceTheOthers() {
        List<String> heard = new ArrayList<>();
        ExchangeListener.Factory first = ex -> new ExchangeListener() {
            @Override
            public void completed(Exchange exchange, Completion completion) {
                heard.add("first " + completion.status());
                throw new IllegalStateException("a broken listener");
            }
        };
        ExchangeListener.Factory second = ex -> new ExchangeListener() {
            @Override
            public void completed(Exchange exchange, Completion completion) {
                heard.add("second " + completion.status());
            }
        };
        Edge edge = Edge.builder().listener(first).listener(second).build();
        assertEquals(404, new EdgeTester(edge, new InMemoryTransport()).send(Request.get("/")).status());
        assertEquals(List.of("first 404", "second 404"), heard);
    }

    @Test
    void completionIsReportedOnceHoweverOftenTheRuntimeReportsIt() {
        RecordingListener events = new RecordingListener();
        Edge edge = Edge.builder().listener(events).build();
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport());
        Exchange exchange = tester.exchange(Request.get("/"), "203.0.113.9");
        tester.handle(exchange).join();
        assertEquals(false, edge.runtime().complete(exchange, 500, 0, 0, 0, null, null));
        assertEquals(1, events.completions().size());
    }

    @Test
    void anAsynchronousPolicyIsToldToo() {
        RecordingListener events = new RecordingListener();
        CompletableFuture<Decision> later = new CompletableFuture<>();
        Policy slow = Policy.named("slow", (ex, r) -> later);
        Edge edge = Edge.builder().listener(events)
                .route(Route.named("h").path("/h").policy(slow).to((ex, r) -> Response.of(200).completed()).build())
                .build();
        CompletableFuture<Response> response = new EdgeTester(edge, new InMemoryTransport())
                .start(Request.get("/h"), "203.0.113.1");
        later.complete(Decision.allow());
        assertEquals(200, response.join().status());
        assertEquals(List.of("headReceived", "routed h", "policy slow allow", "head 200", "completed 200"),
                events.last());
    }
}
