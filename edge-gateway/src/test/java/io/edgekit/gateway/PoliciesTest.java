package io.edgekit.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.TrustedProxies;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PoliciesTest {
    private static Edge edge() {
        return Edge.builder()
                .trustedProxies(TrustedProxies.of("10.0.0.0/8"))
                .route(Route.named("internal").path("/internal/**").policy(Policies.allowClients("192.168.0.0/16"))
                        .to((ex, r) -> Response.of(200).completed()).build())
                .route(Route.named("public").path("/**").policy(Policies.denyClients("198.51.100.0/24"))
                        .policy(Policies.requireHeader("x-tenant"))
                        .to((ex, r) -> Response.of(200).completed()).build())
                .build();
    }

    private static String body(Response response) {
        return new String(response.body().aggregate(4096).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }

    @Test
    void allowListUsesTheResolvedClientNotTheProxy() {
        EdgeTester tester = new EdgeTester(edge(), new InMemoryTransport());
        Request viaProxy = Request.builder().uri("/internal/x").header("x-forwarded-for", "192.168.1.5").build();
        assertEquals(200, tester.start(viaProxy, "10.0.0.1").join().status());
        Response direct = tester.start(Request.get("/internal/x"), "203.0.113.5").join();
        assertEquals(403, direct.status());
        assertTrue(body(direct).contains("\"detail\":\"client address not allowed\""));
        Request spoofed = Request.builder().uri("/internal/x").header("x-forwarded-for", "192.168.1.5").build();
        assertEquals(403, tester.start(spoofed, "203.0.113.5").join().status());
    }

    @Test
    void denyListAndRequiredHeader() {
        EdgeTester tester = new EdgeTester(edge(), new InMemoryTransport());
        Request withTenant = Request.builder().uri("/x").header("x-tenant", "t1").build();
        assertEquals(200, tester.start(withTenant, "203.0.113.5").join().status());
        assertEquals(403, tester.start(withTenant, "198.51.100.7").join().status());
        Response missing = tester.start(Request.get("/x"), "203.0.113.5").join();
        assertEquals(400, missing.status());
        assertTrue(body(missing).contains("\"detail\":\"header x-tenant is required\""));
    }

    @Test
    void explainNamesThePolicies() {
        assertEquals("[denyClients[198.51.100.0/24], requireHeader(x-tenant)]",
                edge().explain(Request.get("/x")).policies().toString());
    }

    @Test
    void valuesThatCannotWorkAreRefusedWithWhatToWriteInstead() {
        IllegalArgumentException header = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Policies.requireHeader("x tenant"));
        assertTrue(header.getMessage().contains("\"x tenant\"") && header.getMessage().contains("\"x-tenant\""),
                header.getMessage());
        IllegalArgumentException cidr = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Policies.allowClients("10.0.0.1/8"));
        assertTrue(cidr.getMessage().contains("\"10.0.0.1/8\"") && cidr.getMessage().contains("10.0.0.0/8")
                && cidr.getMessage().contains("10.0.0.1/32"), cidr.getMessage());
        IllegalArgumentException v6 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TrustedProxies.of("2001:db8::1/32"));
        assertTrue(v6.getMessage().contains("2001:db8:0:0:0:0:0:0/32"), v6.getMessage());
        Policies.allowClients("10.0.0.0/8", "192.168.1.7", "2001:db8::/32"); // blocks and single addresses pass
    }

    @Test
    void builtInPoliciesTakeTheirDenial() {
        Edge edge = Edge.builder()
                .route(Route.named("r").path("/**")
                        .policy(Policies.requireHeader("x-tenant", Denial.of(403, "Forbidden", "a tenant is required")
                                .type("https://errors.example.com/tenant-missing")
                                .header("Link", "<https://docs.example.com/tenants>; rel=\"help\"")))
                        .policy(Policies.denyClients(Denial.of(451, "Unavailable For Legal Reasons", "not here"),
                                "198.51.100.0/24"))
                        .to((ex, r) -> Response.of(200).completed()).build())
                .build();
        EdgeTester tester = new EdgeTester(edge, new InMemoryTransport());
        Response missing = tester.send(Request.get("/x"));
        assertEquals(403, missing.status());
        assertEquals("<https://docs.example.com/tenants>; rel=\"help\"", missing.headers().firstOrNull("link"));
        assertTrue(body(missing).startsWith("{\"type\":\"https://errors.example.com/tenant-missing\",\"title\":"
                + "\"Forbidden\",\"status\":403,\"detail\":\"a tenant is required\",\"requestId\":\""), body(missing));
        Response blocked = tester.start(Request.builder().uri("/x").header("x-tenant", "t").build(), "198.51.100.9").join();
        assertEquals(451, blocked.status());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Denial.of(403, "Forbidden", "x").type("not a uri"));
    }
}
