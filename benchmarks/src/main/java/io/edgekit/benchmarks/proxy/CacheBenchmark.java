package io.edgekit.benchmarks.proxy;

import io.edgekit.core.Edge;
import io.edgekit.core.Exchange;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Transport;
import io.edgekit.core.Upstream;
import io.edgekit.proxy.HttpCache;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does a cache hit cost next to the proxied path, in the engine (no sockets): {@code hit} answers
 * a fresh 1 KiB entry from the cache (lookup, Vary check, Age, Cache-Status); {@code proxied} sends the
 * request through the attempt loop to an upstream that answers at once (an in-memory transport), the
 * baseline; {@code miss} is the cache in front of that upstream for a response it may not store.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar CacheBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheBenchmark {
    @Param({"proxied", "hit", "miss"})
    String path;

    private Edge edge;
    private Request request;
    private Transport transport;

    @Setup
    public void setup() {
        Response stored = Response.of(200, "application/json", "x".repeat(1024)).withHeader("cache-control", "max-age=3600");
        Response notStored = stored.withHeader("cache-control", "no-store");
        transport = attempt -> (attempt.outbound().path().equals("/nostore") ? notStored : stored).completed();
        Upstream upstream = Upstream.named("u").endpoint("10.0.0.1", 80).build();
        edge = Edge.builder()
                .route(Route.named("cached").path("/cached/**").filter(HttpCache.builder().build()).to(upstream).build())
                .route(Route.named("plain").path("/**").to(upstream).build())
                .build();
        request = Request.builder().authority("shop.example")
                .uri(path.equals("hit") ? "/cached/item" : path.equals("miss") ? "/cached/nostore" : "/item")
                .header("accept", "application/json").build();
        handle(); // warms the cache entry for "hit"
    }

    @Benchmark
    public Response handle() {
        Exchange exchange = edge.runtime().accept(Exchange.builder(request), 8080);
        return edge.runtime().handle(exchange, transport).toCompletableFuture().join();
    }
}
