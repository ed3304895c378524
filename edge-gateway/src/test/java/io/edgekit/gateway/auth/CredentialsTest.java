package io.edgekit.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Policy;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** API keys and Basic credentials: consumers, plans, rotation, every refusal. */
@Timeout(30)
class CredentialsTest {
    static final Consumer ACME = Consumer.of("acme", "gold", "orders:read");

    private static EdgeTester tester(Policy policy) {
        Edge edge = Edge.builder()
                .route(Route.named("orders").path("/orders/**").policy(policy)
                        .to((ex, r) -> Response.of(200, "text/plain", ex.identity()
                                .map(i -> i.subject() + " " + new TreeMap<>(i.attributes())).orElse("-")).completed())
                        .build())
                .build();
        return new EdgeTester(edge, new InMemoryTransport());
    }

    private static String body(Response response) {
        return new String(response.body().aggregate(4096).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }

    private static Response withKey(EdgeTester tester, String key) {
        return tester.send(Request.builder().uri("/orders/1").header("x-api-key", key).build());
    }

    @Test
    void apiKeysResolveToTheirConsumerAndRotate() {
        InMemoryApiKeys keys = new InMemoryApiKeys().add("k1", "key-one-0123456789abcdef", ACME);
        EdgeTester tester = tester(ApiKeyAuth.builder(keys).build());
        Response ok = withKey(tester, "key-one-0123456789abcdef");
        assertEquals(200, ok.status());
        assertEquals("acme {credential=api-key, key-id=k1, plan=gold}", body(ok));
        keys.add("k2", "key-two-0123456789abcdef", ACME); // rotation: both work, then the old one goes
        assertEquals(200, withKey(tester, "key-one-0123456789abcdef").status());
        assertEquals(200, withKey(tester, "key-two-0123456789abcdef").status());
        assertTrue(keys.revoke("k1"));
        Response revoked = withKey(tester, "key-one-0123456789abcdef");
        assertEquals(401, revoked.status());
        assertEquals("ApiKey realm=\"edgekit\", header=\"X-API-Key\"", revoked.headers().firstOrNull("www-authenticate"));
        assertEquals(200, withKey(tester, "key-two-0123456789abcdef").status());
    }

    @Test
    void missingUnknownAndDoubleKeysAreRefused() {
        InMemoryApiKeys keys = new InMemoryApiKeys().add("k1", "key-one-0123456789abcdef", ACME);
        EdgeTester tester = tester(ApiKeyAuth.builder(keys).queryParameter("api_key").build());
        assertEquals(401, tester.send(Request.get("/orders/1")).status());
        assertEquals(401, withKey(tester, "key-one-0123456789abcdeX").status());
        assertEquals(200, tester.send(Request.get("/orders/1?api_key=key-one-0123456789abcdef")).status());
        Response two = tester.send(Request.builder().uri("/orders/1?api_key=key-one-0123456789abcdef")
                .header("x-api-key", "key-one-0123456789abcdef").build());
        assertEquals(400, two.status());
        assertTrue(body(two).contains("more than one API key"));
        assertThrows(IllegalArgumentException.class, () -> keys.add("k9", "short", ACME));
        assertThrows(IllegalArgumentException.class, () -> keys.add("k1", "another-key-0123456789", ACME));
    }

    @Test
    void basicCredentialsAreCheckedAgainstHashes() {
        String hash = Passwords.hash("correct horse".toCharArray(), 10_000);
        assertTrue(hash.startsWith("pbkdf2-sha256$10000$") && !hash.contains("correct"));
        EdgeTester tester = tester(BasicAuth.builder().user("alice", hash, ACME).build());
        Response ok = tester.send(basic("alice", "correct horse"));
        assertEquals(200, ok.status(), body(ok));
        assertEquals("acme {credential=basic, plan=gold, user=alice}", body(ok));
        assertEquals(200, tester.send(basic("alice", "correct horse")).status(), "remembered");
        Response wrong = tester.send(basic("alice", "wrong horse"));
        assertEquals(401, wrong.status());
        assertEquals("Basic realm=\"edgekit\", charset=\"UTF-8\"", wrong.headers().firstOrNull("www-authenticate"));
        assertEquals(401, tester.send(basic("bob", "correct horse")).status());
        assertEquals(401, tester.send(Request.get("/orders/1")).status());
        assertEquals(400, tester.send(Request.builder().uri("/orders/1").header("authorization", "Basic !!!").build())
                .status());
        assertThrows(IllegalArgumentException.class, () -> BasicAuth.builder().user("alice", "plain-password", ACME));
    }

    private static Request basic(String user, String password) {
        return Request.builder().uri("/orders/1").header("authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))).build();
    }
}
