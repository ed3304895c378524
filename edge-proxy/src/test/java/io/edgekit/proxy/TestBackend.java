package io.edgekit.proxy;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 backend on 127.0.0.1 and an ephemeral port, for integration tests. Its handler runs
 * in blocking mode on a worker thread, as ordinary application code would. Records what it received.
 */
final class TestBackend implements AutoCloseable {
    /** A request as the backend saw it. */
    record Seen(String method, String uri, io.undertow.util.HeaderMap headers) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** Blocking request handling. */
    @FunctionalInterface
    interface BlockingHandler {
        void handle(HttpServerExchange exchange) throws Exception;
    }

    final String name;
    private final Undertow server;
    final AtomicInteger requests = new AtomicInteger();
    final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

    private TestBackend(String name, BlockingHandler handler) {
        this.name = name;
        HttpHandler root = new HttpHandler() {
            @Override
            public void handleRequest(HttpServerExchange exchange) throws Exception {
                if (exchange.isInIoThread()) {
                    exchange.dispatch(this);
                    return;
                }
                exchange.startBlocking();
                requests.incrementAndGet();
                io.undertow.util.HeaderMap copy = new io.undertow.util.HeaderMap();
                for (HeaderValues values : exchange.getRequestHeaders()) {
                    copy.addAll(values.getHeaderName(), values);
                }
                String query = exchange.getQueryString();
                seen.add(new Seen(exchange.getRequestMethod().toString(),
                        exchange.getRequestURI() + (query.isEmpty() ? "" : "?" + query), copy));
                handler.handle(exchange);
            }
        };
        this.server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(16)
                .setServerOption(io.undertow.UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                .setHandler(root)
                .build();
        server.start();
    }

    static TestBackend start(String name, BlockingHandler handler) {
        return new TestBackend(name, handler);
    }

    /** Answers {@code GET /...} with "name path", and echoes any request body. */
    static TestBackend echo(String name) {
        return start(name, exchange -> {
            byte[] body = exchange.getInputStream().readAllBytes();
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH,
                    body.length > 0 ? body.length : (name + " " + exchange.getRequestURI()).length());
            OutputStream out = exchange.getOutputStream();
            out.write(body.length > 0 ? body : (name + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8));
            out.close();
        });
    }

    int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    Seen lastSeen() {
        Seen last = null;
        for (Seen s : seen) {
            last = s;
        }
        return last;
    }

    static long drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0;) {
            total += n;
        }
        return total;
    }

    @Override
    public void close() {
        server.stop();
    }
}
