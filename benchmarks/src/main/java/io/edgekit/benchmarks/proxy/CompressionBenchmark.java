package io.edgekit.benchmarks.proxy;

import io.edgekit.core.Edge;
import io.edgekit.core.Exchange;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Transport;
import io.edgekit.proxy.ProxyFilters;
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
 * What does compressing an in-memory response cost: a 1 KiB and a 16 KiB JSON answer through the
 * engine with compression {@code off} (the baseline), {@code gzip} or {@code deflate} negotiated.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar CompressionBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CompressionBenchmark {
    private static final Transport NO_TRANSPORT = attempt -> {
        throw new IllegalStateException("no upstream in this benchmark");
    };

    @Param({"off", "gzip", "deflate"})
    String coding;

    @Param({"1024", "16384"})
    int bytes;

    private Edge edge;
    private Request request;

    @Setup
    public void setup() {
        StringBuilder json = new StringBuilder("[");
        while (json.length() < bytes - 64) {
            json.append("{\"id\":").append(json.length()).append(",\"name\":\"item\",\"ok\":true},");
        }
        Response answer = Response.of(200, "application/json", json.append("{}]").toString());
        edge = Edge.builder().filter(ProxyFilters.compression())
                .route(Route.named("r").path("/**").to((ex, r) -> answer.completed()).build()).build();
        Request.Builder builder = Request.builder().authority("shop.example").uri("/items");
        if (!coding.equals("off")) {
            builder.header("accept-encoding", coding);
        }
        request = builder.build();
    }

    @Benchmark
    public Response handle() {
        Exchange exchange = edge.runtime().accept(Exchange.builder(request), 8080);
        return edge.runtime().handle(exchange, NO_TRANSPORT).toCompletableFuture().join();
    }
}
