package io.edgekit.examples;

import io.edgekit.core.Edge;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.TrustedProxies;
import io.edgekit.proxy.EdgeServer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * A small demo backend: an Edgekit server whose only route answers in-process. {@code GET /api/whoami}
 * names the backend; anything else under {@code /api} echoes what arrived.
 */
final class DemoBackend {
    private DemoBackend() {
    }

    static EdgeServer start(String name) {
        Edge backend = Edge.builder()
                .trustedProxies(TrustedProxies.of("127.0.0.1/32")) // the demo edge in front of it
                .route(Route.named("whoami").path("/api/whoami").methods("GET", "HEAD")
                        .to((exchange, request) -> json("{\"backend\":\"" + name + "\"}")).build())
                .route(Route.named("time").path("/api/time").methods("GET", "HEAD")
                        .to((exchange, request) -> Response.of(200, "application/json",
                                "{\"backend\":\"" + name + "\",\"time\":\"" + java.time.Instant.now() + "\"}\n")
                                .withHeader("cache-control", "max-age=5").completed()).build())
                .route(Route.named("echo").path("/**").to((exchange, request) -> request.body()
                        .aggregate(64 * 1024).thenCompose(body -> json(echo(name, request,
                                new String(body, StandardCharsets.UTF_8))))).build())
                .build();
        return EdgeServer.builder(backend).listen("127.0.0.1", 0).ioThreads(1).build().start();
    }

    private static CompletionStage<Response> json(String body) {
        return Response.of(200, "application/json", body + "\n").completed();
    }

    private static String echo(String name, Request request, String body) {
        StringBuilder json = new StringBuilder("{\"backend\":\"").append(name).append("\",\"method\":\"")
                .append(request.method()).append("\",\"uri\":").append(quote(request.uri()))
                .append(",\"headers\":{");
        Headers headers = request.headers();
        for (int i = 0; i < headers.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(quote(headers.name(i))).append(':').append(quote(headers.value(i)));
        }
        return json.append("},\"body\":").append(quote(body)).append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
