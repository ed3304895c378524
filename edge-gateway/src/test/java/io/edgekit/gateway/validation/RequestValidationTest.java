package io.edgekit.gateway.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Body;
import io.edgekit.core.Edge;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Request validation: each violation listed, the right status, the body forwarded as read. */
@Timeout(10)
class RequestValidationTest {
    static final String SCHEMA = """
            {"type": "object", "required": ["name", "quantity"], "additionalProperties": false,
             "properties": {"name": {"type": "string", "minLength": 1},
                            "quantity": {"type": "integer", "minimum": 1}}}
            """;
    final AtomicInteger reached = new AtomicInteger();

    private EdgeTester tester() {
        Edge edge = Edge.builder()
                .route(Route.named("orders").path("/orders/**")
                        .filter(RequestValidation.builder().contentTypes("application/json").maxBodyBytes(256)
                                .requireHeaders("x-tenant").requireQueryParams("channel").jsonSchema(SCHEMA).build())
                        .to((ex, r) -> r.body().aggregate(1024).thenApply(bytes -> {
                            reached.incrementAndGet();
                            return Response.of(200, "application/json", new String(bytes, StandardCharsets.UTF_8));
                        }))
                        .build())
                .build();
        return new EdgeTester(edge, new InMemoryTransport());
    }

    private static Request post(String contentType, String body, boolean tenant) {
        Request.Builder b = Request.builder().method("POST").uri("/orders?channel=web").body(Body.of(body));
        if (contentType != null) {
            b.header("content-type", contentType);
        }
        if (tenant) {
            b.header("x-tenant", "t1");
        }
        return b.build();
    }

    private static String body(Response response) {
        return new String(response.body().aggregate(8192).toCompletableFuture().join(), StandardCharsets.UTF_8);
    }

    private static String assertRefused(Response response, int status) {
        assertEquals(status, response.status(), body(response));
        assertEquals("application/problem+json", response.headers().firstOrNull("content-type"));
        return body(response);
    }

    @Test
    void aValidRequestGoesOnWithItsBody() {
        Response ok = tester().send(post("application/json; charset=utf-8", "{\"name\":\"tea\",\"quantity\":2}", true));
        assertEquals(200, ok.status(), body(ok));
        assertEquals("{\"name\":\"tea\",\"quantity\":2}", body(ok));
    }

    @Test
    void eachViolationIsListedWithItsStatus() {
        EdgeTester tester = tester();
        assertTrue(assertRefused(tester.send(post("text/plain", "hello", true)), 415)
                .contains("content type text/plain is not accepted (accepted: application/json)"));
        assertTrue(assertRefused(tester.send(post(null, "{}", true)), 415).contains("(none)"));
        assertTrue(assertRefused(tester.send(post("application/json", "{\"name\":\"" + "x".repeat(300) + "\"}", true)), 413)
                .contains("larger than 256 bytes"));
        String missing = assertRefused(tester.send(Request.builder().method("POST").uri("/orders")
                .header("content-type", "application/json").body(Body.of("{\"name\":\"tea\",\"quantity\":1}")).build()), 400);
        assertTrue(missing.contains("2 violations: header x-tenant is required; query parameter channel is required"), missing);
        assertTrue(assertRefused(tester.send(post("application/json", "{\"name\": \"tea\",", true)), 400)
                .contains("not well-formed JSON"));
        assertTrue(assertRefused(tester.send(post("application/json", "{\"name\":\"a\",\"name\":\"b\",\"quantity\":1}", true)), 400)
                .contains("not well-formed JSON"), "duplicate keys");
        assertTrue(assertRefused(tester.send(post("application/json", "{\"name\":\"a\",\"quantity\":1} []", true)), 400)
                .contains("not well-formed JSON"), "trailing data");
        String schema = assertRefused(tester.send(post("application/json", "{\"name\":\"\",\"quantity\":0,\"x\":1}", true)), 400);
        assertTrue(schema.contains("3 violations: /name: ") && schema.contains("; /quantity: ")
                && schema.contains("; /: property 'x' is not defined"), schema);
        assertTrue(assertRefused(tester.send(Request.builder().method("POST").uri("/orders?channel=web")
                .header("x-tenant", "t").build()), 400).contains("a JSON body is required"));
        assertEquals(0, reached.get(), "nothing refused went on");
    }

    @Test
    void aSchemaThatIsNotOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RequestValidation.builder().jsonSchema("{not json"));
    }
}
