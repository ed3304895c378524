package io.edgekit.benchmarks.core;

import io.edgekit.balance.Retries;
import io.edgekit.core.Attempt;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Exchange;
import io.edgekit.core.Outcome;
import io.edgekit.core.Request;
import io.edgekit.core.RetryBudget;
import io.edgekit.core.RetryRule;
import java.util.List;
import java.util.Set;
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
 * What do the retry decisions cost on every attempt's end: the default rule and a configured
 * {@code Retries} rule deciding on a 200 (every request pays this) and on a reset, and the default
 * budget's admit-and-release of a retry, on one thread and two?
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RetryBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RetryBenchmark {
    @Param({"default", "retries"})
    String rule;

    private RetryRule chosen;
    private Attempt attempt;
    private Outcome ok;
    private Outcome reset;
    private final RetryBudget budget = RetryBudget.percentOfActive(20, 3);

    @Setup
    public void setup() {
        chosen = rule.equals("default") ? RetryRule.idempotent(Set.of())
                : Retries.rule().onStatus(502, 503, 504).build();
        Request request = Request.get("/");
        attempt = new Attempt(Exchange.of(request), request, 1, List.of());
        Endpoint endpoint = Endpoint.of("10.0.0.1", 80);
        ok = new Outcome(endpoint, Outcome.Kind.RESPONSE, 200, 1000);
        reset = new Outcome(endpoint, Outcome.Kind.RESET, 0, 1000);
        for (int i = 0; i < 10; i++) {
            budget.onRequest();
        }
    }

    @Benchmark
    public RetryRule.Verdict decideOnSuccess() {
        return chosen.decide(attempt, ok);
    }

    @Benchmark
    public RetryRule.Verdict decideOnReset() {
        return chosen.decide(attempt, reset);
    }

    @Benchmark
    public boolean budgetAdmitAndRelease() {
        boolean admitted = budget.tryRetry();
        if (admitted) {
            budget.onRetryEnd();
        }
        return admitted;
    }

    @Benchmark
    @Threads(2)
    public boolean budgetAdmitAndReleaseContended() {
        return budgetAdmitAndRelease();
    }
}
