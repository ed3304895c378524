package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgekit.core.Decision;
import io.edgekit.core.Edge;
import io.edgekit.core.Filter;
import io.edgekit.core.Route;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An existing Undertow handler behind the edge's routes and policies, in the same JVM. */
@Timeout(30)
class UndertowTargetIT {
    static EdgeServer server;
    /** The status the response phase saw: it sees the answer once it is complete, after the client may. */
    static final CompletableFuture<Integer> observedStatus = new CompletableFuture<>();
    static final HttpClient client = HttpClient.newHttpClient();

    /** A blocking Undertow handler, written the usual way. */
    static final class ReportHandler implements HttpHandler {
        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            if (exchange.isInIoThread()) {
                exchange.dispatch(this);
                return;
            }
            exchange.startBlocking();
            String body = new String(exchange.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            exchange.setStatusCode(201);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
            exchange.getOutputStream().write((exchange.getRequestMethod() + " " + exchange.getRequestPath() + "?"
                    + exchange.getQueryString() + " user=" + exchange.getRequestHeaders().getFirst("x-user")
                    + " body=" + body).getBytes(StandardCharsets.UTF_8));
        }
    }

    @BeforeAll
    static void start() {
        Edge edge = Edge.builder()
                .route(Route.named("reports").path("/reports/**")
                        .policy((ex, r) -> CompletableFuture.completedFuture(r.headers().contains("x-key")
                                ? Decision.allow().withRequestHeader("x-user", "alice")
                                : Decision.deny(401, "Unauthorized", "x-key is required")))
                        .filter(Filter.named("observe", (ex, r, next) -> next.proceed(r.withPath("/internal" + r.path()))
                                .thenApply(response -> {
                                    observedStatus.complete(response.status());
                                    return response;
                                })))
                        .to(UndertowTargets.handler(new ReportHandler())).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void policiesAndRequestFiltersRunBeforeTheHandlerAnswers() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.port() + "/reports/q1?year=2026")).header("x-key", "k")
                .POST(HttpRequest.BodyPublishers.ofString("data")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode());
        assertEquals("POST /internal/reports/q1?year=2026 user=alice body=data", response.body());
        assertEquals(201, observedStatus.get(5, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void deniedRequestsNeverReachTheHandler() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.port() + "/reports/q1")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""));
    }
}
