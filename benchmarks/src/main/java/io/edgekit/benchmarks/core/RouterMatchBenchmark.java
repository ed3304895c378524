package io.edgekit.benchmarks.core;

import io.edgekit.core.Handler;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.RouteMatch;
import io.edgekit.core.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * How long does finding the route for a request take as the table grows from 10 to 10,000 routes, for
 * a hit on each kind of path (exact, template, prefix, host) and for a miss? Also: how long does
 * compiling the table take?
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RouterMatchBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterMatchBenchmark {
    private static final Handler OK = (ex, r) -> Response.of(200).completed();

    @Param({"10", "1000", "10000"})
    int routes;

    private List<Route> routeList;
    private RouteTable table;
    private Request exactHit;
    private Request templateHit;
    private Request prefixHit;
    private Request hostHit;
    private Request miss;

    @Setup
    public void setup() {
        routeList = routes(routes);
        table = RouteTable.compile(routeList);
        int last = routes - 1;
        exactHit = Request.get("/svc" + (last - last % 4) + "/items");
        templateHit = Request.get("/svc" + (last - last % 4 + 1) + "/items/42");
        prefixHit = Request.get("/svc" + (last - last % 4 + 2) + "/a/b/c");
        hostHit = Request.builder().authority("h" + (last - last % 4 + 3) + ".example.com").uri("/x").build();
        miss = Request.get("/nothing/here/at/all");
    }

    static List<Route> routes(int n) {
        List<Route> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            switch (i % 4) {
                case 0 -> list.add(Route.named("r" + i).path("/svc" + i + "/items").to(OK).build());
                case 1 -> list.add(Route.named("r" + i).path("/svc" + i + "/items/{id}").to(OK).build());
                case 2 -> list.add(Route.named("r" + i).path("/svc" + i + "/**").to(OK).build());
                default -> list.add(Route.named("r" + i).host("h" + i + ".example.com").path("/**").to(OK).build());
            }
        }
        return list;
    }

    @Benchmark
    public Optional<RouteMatch> exactHit() {
        return table.match(exactHit);
    }

    @Benchmark
    public Optional<RouteMatch> templateHit() {
        return table.match(templateHit);
    }

    @Benchmark
    public Optional<RouteMatch> prefixHit() {
        return table.match(prefixHit);
    }

    @Benchmark
    public Optional<RouteMatch> hostHit() {
        return table.match(hostHit);
    }

    @Benchmark
    public Optional<RouteMatch> miss() {
        return table.match(miss);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 5)
    @Measurement(iterations = 10)
    public RouteTable compile() {
        return RouteTable.compile(routeList);
    }
}
