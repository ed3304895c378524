package io.edgekit.benchmarks.proxy;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The floor of any proxy served by Undertow's HTTP/1.1 listener: Undertow answering by itself, from
 * memory, what the load script's upstreams answer (128 bytes of text/plain), with nothing forwarded.
 * {@code floor.sh} sets it beside NGINX answering the same way; the difference in CPU per request is
 * what the server library costs before any proxying starts. Same command line as {@link BenchServer};
 * the upstreams are accepted so that every JVM contender starts alike, and not used:
 *
 * <pre>java -cp benchmarks/target/edge-bench-server.jar io.edgekit.benchmarks.proxy.UndertowFloorServer
 *     --port P --upstream 127.0.0.1:A [--upstream ...] [--io-threads N]</pre>
 */
public final class UndertowFloorServer {
    /** The upstreams' answer in the load script: 128 bytes. */
    static final int BODY_BYTES = 128;

    private UndertowFloorServer() {
    }

    public static void main(String[] args) {
        BaselineArgs parsed = BaselineArgs.parse(args); // the upstreams are accepted, not used
        if (parsed.port() < 0) {
            BenchServer.usage("--port is required");
        }
        ByteBuffer body = ByteBuffer.wrap("x".repeat(BODY_BYTES).getBytes(StandardCharsets.US_ASCII));
        Undertow server = Undertow.builder()
                .addHttpListener(parsed.port(), "127.0.0.1")
                .setIoThreads(parsed.ioThreads())
                .setWorkerThreads(1)
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false) // as the edge's listener
                .setHandler(exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                    exchange.getResponseSender().send(body.duplicate()); // on the IO thread, never blocks
                })
                .build();
        server.start();
        System.out.println("ready");
        System.out.flush();
    }
}
