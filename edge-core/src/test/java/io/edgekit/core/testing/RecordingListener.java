package io.edgekit.core.testing;

import io.edgekit.core.Attempt;
import io.edgekit.core.Completion;
import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.ExchangeListener;
import io.edgekit.core.Outcome;
import io.edgekit.core.Policy;
import io.edgekit.core.RouteMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An exchange listener that writes down every event, per exchange (by request id), as short lines such as
 * {@code routed orders} or {@code attemptEnded RETRY 10.0.0.2:80 RESPONSE 200}; and every completion.
 * For tests of the listener seam and of what the roles report. Thread-safe.
 */
public final class RecordingListener implements ExchangeListener.Factory {
    private final Map<String, List<String>> events = new ConcurrentHashMap<>();
    private final List<Completion> completions = new CopyOnWriteArrayList<>();
    private final List<String> order = new CopyOnWriteArrayList<>();

    @Override
    public ExchangeListener create(Exchange exchange) {
        return new ExchangeListener() {
            private void add(String event) {
                events.computeIfAbsent(exchange.requestId(), id -> {
                    order.add(id);
                    return new CopyOnWriteArrayList<>();
                }).add(event);
            }

            @Override
            public void headReceived(Exchange ex) {
                add("headReceived");
            }

            @Override
            public void routed(Exchange ex, RouteMatch match) {
                add("routed " + match.route().id());
            }

            @Override
            public void noRoute(Exchange ex) {
                add("noRoute");
            }

            @Override
            public void policyDecided(Exchange ex, Policy policy, Decision decision) {
                add("policy " + policy.name() + " " + (decision.isAllowed() ? "allow" : "deny"));
            }

            @Override
            public void attemptStarted(Attempt attempt) {
                add("attemptStarted " + attempt.kind() + " " + attempt.endpoint());
            }

            @Override
            public void attemptEnded(Attempt attempt, Outcome outcome) {
                add("attemptEnded " + attempt.kind() + " " + attempt.endpoint() + " " + outcome.kind()
                        + (outcome.kind() == Outcome.Kind.RESPONSE ? " " + outcome.status() : ""));
            }

            @Override
            public void responseHeadWritten(Exchange ex, int status) {
                add("head " + status);
            }

            @Override
            public void completed(Exchange ex, Completion completion) {
                add("completed " + completion.status());
                completions.add(completion);
            }
        };
    }

    /** The events of each exchange, in the order the exchanges began. */
    public List<List<String>> exchanges() {
        List<List<String>> all = new ArrayList<>();
        for (String id : order) {
            all.add(List.copyOf(events.get(id)));
        }
        return all;
    }

    /** The events of the only (or last) exchange. */
    public List<String> last() {
        List<List<String>> all = exchanges();
        return all.isEmpty() ? List.of() : all.get(all.size() - 1);
    }

    /** Every completion reported, in the order they came. */
    public List<Completion> completions() {
        return List.copyOf(completions);
    }

    /** Forgets what was recorded so far. */
    public void clear() {
        events.clear();
        completions.clear();
        order.clear();
    }
}
