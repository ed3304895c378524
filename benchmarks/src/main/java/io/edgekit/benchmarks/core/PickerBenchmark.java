package io.edgekit.benchmarks.core;

import io.edgekit.balance.Balancers;
import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import io.edgekit.core.Exchange;
import io.edgekit.core.Outcome;
import io.edgekit.core.Request;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does choosing an endpoint cost, and does it allocate: a pick and its outcome report, for each
 * built-in balancer over 2, 10, 100 and 1,000 weighted endpoints, on one thread and on two at once (pickers
 * are shared by the IO threads)? The hashing balancers hash an {@code x-user} header the request carries.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar PickerBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PickerBenchmark {
    @Param({"roundRobin", "leastInFlight", "peakEwma", "random", "ringHash", "maglev"})
    String balancer;

    @Param({"2", "10", "100", "1000"})
    int endpoints;

    private Balancer.Picker picker;
    private Attempt attempt;
    private final java.util.Map<Endpoint, Outcome> outcomes = new java.util.HashMap<>();

    @Setup
    public void setup() {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            list.add(new Endpoint("10.0." + (i / 250) + "." + (i % 250 + 1), 8080, 1 + i % 3));
        }
        Balancer chosen = switch (balancer) {
            case "roundRobin" -> Balancers.roundRobin();
            case "leastInFlight" -> Balancers.leastInFlight(42);
            case "peakEwma" -> Balancers.peakEwma(java.time.Duration.ofSeconds(10), 42);
            case "random" -> Balancers.random();
            case "ringHash" -> Balancers.ringHash(io.edgekit.balance.HashKey.header("x-user"));
            case "maglev" -> Balancers.maglev(io.edgekit.balance.HashKey.header("x-user"));
            default -> throw new IllegalArgumentException(balancer);
        };
        picker = chosen.newPicker(EndpointSnapshot.of(list));
        for (Endpoint endpoint : list) {
            outcomes.put(endpoint, new Outcome(endpoint, Outcome.Kind.RESPONSE, 200, 1000));
        }
        Request request = Request.get("/").withHeader("x-user", "user-12345");
        attempt = new Attempt(Exchange.of(request), request, 1, List.of());
    }

    @Benchmark
    @Threads(1)
    public Endpoint pickAndReport() {
        return pickAndReportOnce();
    }

    @Benchmark
    @Threads(2)
    public Endpoint pickAndReportContended() {
        return pickAndReportOnce();
    }

    private Endpoint pickAndReportOnce() {
        Endpoint endpoint = picker.pick(attempt).orElseThrow();
        picker.onComplete(attempt, outcomes.get(endpoint)); // made in setup: what allocates is the picker's
        return endpoint;
    }
}
