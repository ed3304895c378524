package io.edgekit.benchmarks.core;

import io.edgekit.core.Decision;
import io.edgekit.core.Edge;
import io.edgekit.core.Exchange;
import io.edgekit.core.Filter;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Transport;
import java.util.concurrent.CompletableFuture;
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
 * What does the engine cost per request when policies and filters answer synchronously: accept
 * (forwarding headers, request id), route, evaluate 0 or 3 allowing policies, run 0, 1, 5 or 10 filters
 * that each add a response header, and answer from an in-process handler? The 0/0 row is the baseline.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar FilterChainBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FilterChainBenchmark {
    private static final Transport NO_TRANSPORT = attempt -> {
        throw new IllegalStateException("no upstream in this benchmark");
    };

    @Param({"0", "1", "5", "10"})
    int filters;

    @Param({"0", "3"})
    int policies;

    private Edge edge;
    private Request request;

    @Setup
    public void setup() {
        Response ok = Response.of(200, "text/plain", "ok");
        Route.Builder route = Route.named("bench").path("/api/**").to((ex, r) -> ok.completed());
        CompletableFuture<Decision> allow = CompletableFuture.completedFuture(Decision.allow());
        for (int i = 0; i < policies; i++) {
            route.policy((ex, r) -> allow);
        }
        for (int i = 0; i < filters; i++) {
            String name = "x-filter-" + i;
            route.filter((ex, r, next) -> next.proceed(r).thenApply(resp -> resp.withHeader(name, "1")));
        }
        edge = Edge.builder().route(route.build()).build();
        request = Request.builder().authority("edge.example.com").uri("/api/orders/42?expand=items")
                .header("accept", "application/json").header("user-agent", "bench/1.0")
                .header("x-forwarded-for", "198.51.100.7").build();
    }

    @Benchmark
    public Response handle() {
        Exchange exchange = edge.runtime().accept(Exchange.builder(request), 8080);
        CompletableFuture<Response> response = edge.runtime().handle(exchange, NO_TRANSPORT).toCompletableFuture();
        return response.join();
    }
}
