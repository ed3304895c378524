package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {
    private static final TrustedProxies EDGE = TrustedProxies.of("10.0.0.0/8");

    private static Function<String, List<String>> headers(Map<String, List<String>> map) {
        return name -> map.getOrDefault(name, List.of());
    }

    @Test
    void untrustedPeerIsTheClientWhateverItClaims() throws Exception {
        InetAddress peer = InetAddress.getByName("203.0.113.9");
        ForwardedHeaders.Client client = ForwardedHeaders.resolve(EDGE, peer, headers(Map.of(
                "x-forwarded-for", List.of("1.2.3.4"), "x-forwarded-proto", List.of("https"))));
        assertEquals(new ForwardedHeaders.Client(peer, "http", null, -1), client);
    }

    @Test
    void trustedEdgeIsBelieved() throws Exception {
        ForwardedHeaders.Client client = ForwardedHeaders.resolve(EDGE, InetAddress.getByName("10.0.0.2"),
                headers(Map.of("x-forwarded-for", List.of("198.51.100.7, 10.0.0.9"),
                        "x-forwarded-proto", List.of("https"), "x-forwarded-host", List.of("shop.example.com"),
                        "x-forwarded-port", List.of("443"))));
        assertEquals(new ForwardedHeaders.Client(InetAddress.getByName("198.51.100.7"), "https",
                "shop.example.com", 443), client);
    }

    @Test
    void forwardedHeaderAloneIsEnough() throws Exception {
        ForwardedHeaders.Client client = ForwardedHeaders.resolve(EDGE, InetAddress.getByName("10.0.0.2"),
                headers(Map.of("forwarded", List.of("for=\"[2001:db8::7]\";proto=https;host=api.example.com"))));
        assertEquals(InetAddress.getByName("2001:db8::7"), client.address());
        assertEquals("https", client.scheme());
        assertEquals("api.example.com", client.host());
    }

    @Test
    void readsWhatTheEdgeWritesTheSameWay() throws Exception {
        Edge edge = Edge.builder().trustedProxies(TrustedProxies.of("192.0.2.0/24"))
                .route(Route.named("r").path("/**").to((ex, r) -> Response.of(200).completed()).build()).build();
        Request inbound = Request.builder().authority("shop.example.com").uri("/")
                .header("x-forwarded-for", "198.51.100.7").header("x-forwarded-proto", "https").build();
        Exchange exchange = new EdgeTester(edge, new InMemoryTransport()).exchange(inbound, "192.0.2.1");
        Headers sent = exchange.request().headers();
        // the service trusts the edge (10.0.0.5) and the proxies the edge trusts
        ForwardedHeaders.Client seenByService = ForwardedHeaders.resolve(TrustedProxies.of("10.0.0.0/8",
                "192.0.2.0/24"),
                InetAddress.getByName("10.0.0.5"), name -> sent.all(name));
        assertEquals(exchange.clientAddress(), seenByService.address());
        assertEquals("https", seenByService.scheme());
        assertEquals("shop.example.com", seenByService.host());
        assertEquals(8080, seenByService.port());
    }

    @Test
    void garbageSchemesAndPortsFallBack() throws Exception {
        ForwardedHeaders.Client client = ForwardedHeaders.resolve(EDGE, InetAddress.getByName("10.0.0.2"),
                headers(Map.of("x-forwarded-proto", List.of("javascript"), "x-forwarded-port", List.of("99999"))));
        assertEquals("http", client.scheme());
        assertEquals(-1, client.port());
    }
}
