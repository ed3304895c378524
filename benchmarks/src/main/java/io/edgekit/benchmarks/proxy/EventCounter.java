package io.edgekit.benchmarks.proxy;

import io.edgekit.core.Attempt;
import io.edgekit.core.Completion;
import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.ExchangeListener;
import io.edgekit.core.Outcome;
import io.edgekit.core.Policy;
import io.edgekit.core.RouteMatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * A listener that counts every exchange event in shared striped counters, one listener for all exchanges:
 * the least a metrics listener does, for measuring what listening costs ({@code --count-events}).
 */
final class EventCounter implements ExchangeListener.Factory, ExchangeListener {
    final LongAdder heads = new LongAdder();
    final LongAdder routed = new LongAdder();
    final LongAdder unrouted = new LongAdder();
    final LongAdder policies = new LongAdder();
    final LongAdder attemptsStarted = new LongAdder();
    final LongAdder attemptsEnded = new LongAdder();
    final LongAdder headsWritten = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder bytesOut = new LongAdder();

    @Override
    public ExchangeListener create(Exchange exchange) {
        return this;
    }

    @Override
    public void headReceived(Exchange exchange) {
        heads.increment();
    }

    @Override
    public void routed(Exchange exchange, RouteMatch match) {
        routed.increment();
    }

    @Override
    public void noRoute(Exchange exchange) {
        unrouted.increment();
    }

    @Override
    public void policyDecided(Exchange exchange, Policy policy, Decision decision) {
        policies.increment();
    }

    @Override
    public void attemptStarted(Attempt attempt) {
        attemptsStarted.increment();
    }

    @Override
    public void attemptEnded(Attempt attempt, Outcome outcome) {
        attemptsEnded.increment();
    }

    @Override
    public void responseHeadWritten(Exchange exchange, int status) {
        headsWritten.increment();
    }

    @Override
    public void completed(Exchange exchange, Completion completion) {
        completed.increment();
        bytesOut.add(completion.bytesOut());
    }
}
