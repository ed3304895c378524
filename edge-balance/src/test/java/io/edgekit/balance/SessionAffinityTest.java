package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Edge;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Outcome;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cookie session affinity in memory: issued, followed, falls back when its endpoint drains, never forged. */
@Timeout(20)
class SessionAffinityTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final InMemoryTransport transport = new InMemoryTransport()
            .serve("10.0.0.1:80", (ex, r) -> Response.of(200, "text/plain", "a").completed())
            .serve("10.0.0.2:80", (ex, r) -> Response.of(200, "text/plain", "b").completed());
    private final SessionAffinity affinity = SessionAffinity.cookie("edge-session", SECRET).build();
    private final Edge edge = Edge.builder().route(Route.named("app").path("/**").filter(affinity.filter())
            .to(Upstream.named("app").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80)
                    .balancer(affinity.balancer(Balancers.roundRobin())).build()).build()).build();
    private final EdgeTester tester = new EdgeTester(edge, transport);

    private static String body(Response response) {
        return new String(response.body().aggregate(64).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }

    private static String cookie(Response response) {
        String setCookie = response.headers().firstOrNull("set-cookie");
        return setCookie == null ? null : setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void aClientStaysOnTheEndpointOfItsFirstRequest() {
        Response first = tester.send(Request.get("/"));
        String cookie = cookie(first);
        assertTrue(first.headers().firstOrNull("set-cookie").endsWith("; Path=/; HttpOnly; SameSite=Lax"));
        assertFalse(cookie.contains("10.0.0"), "the token does not show the address: " + cookie);
        for (int i = 0; i < 5; i++) {
            Response next = tester.send(Request.get("/").withHeader("cookie", "x=1; " + cookie));
            assertEquals(body(first), body(next));
            assertNull(next.headers().firstOrNull("set-cookie"), "no new cookie while it holds");
        }
    }

    @Test
    void whenItsEndpointDrainsTheClientMovesAndGetsANewCookie() {
        Response first = tester.send(Request.get("/"));
        String cookie = cookie(first);
        String address = body(first).equals("a") ? "10.0.0.1:80" : "10.0.0.2:80";
        edge.endpointGroup("app").orElseThrow().drain(address);
        Response moved = tester.send(Request.get("/").withHeader("cookie", cookie));
        assertNotEquals(body(first), body(moved));
        assertNotEquals(cookie, cookie(moved));
    }

    @Test
    void aForgedOrForeignTokenIsIgnored() {
        Response forged = tester.send(Request.get("/").withHeader("cookie", "edge-session=AAAAAAAAAAAAAAAAAAAAAA"));
        assertEquals(200, forged.status());
        byte[] other = Arrays.copyOf(SECRET, 32);
        other[0] = 'X';
        SessionAffinity foreign = SessionAffinity.cookie("edge-session", other).build();
        String foreignToken = foreign.token("app", Endpoint.of("10.0.0.2", 80));
        assertNotEquals(affinity.token("app", Endpoint.of("10.0.0.2", 80)), foreignToken);
        assertEquals("secret: 8 bytes (expected: >= 32)", assertThrows(IllegalArgumentException.class,
                () -> SessionAffinity.cookie("s", new byte[8])).getMessage());
    }

    @Test
    void theWrappedPickerHearsOfStickyPicksSoItsCountsStayBalanced() {
        AtomicInteger picked = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        Balancer counting = snapshot -> {
            Balancer.Picker round = Balancers.roundRobin().newPicker(snapshot);
            return new Balancer.Picker() {
                @Override
                public Optional<Endpoint> pick(Attempt attempt) {
                    picked.incrementAndGet();
                    return round.pick(attempt);
                }

                @Override
                public void onPickedElsewhere(Attempt attempt, Endpoint endpoint) {
                    picked.incrementAndGet();
                }

                @Override
                public void onComplete(Attempt attempt, Outcome outcome) {
                    completed.incrementAndGet();
                }
            };
        };
        Edge sticky = Edge.builder().route(Route.named("app").path("/**").filter(affinity.filter())
                .to(Upstream.named("app").endpoint("10.0.0.1", 80).endpoint("10.0.0.2", 80)
                        .balancer(affinity.balancer(counting)).build()).build()).build();
        EdgeTester tester = new EdgeTester(sticky, transport);
        String cookie = cookie(tester.send(Request.get("/")));
        for (int i = 0; i < 5; i++) {
            tester.send(Request.get("/").withHeader("cookie", cookie));
        }
        assertEquals(6, picked.get());
        assertEquals(6, completed.get());
    }
}
