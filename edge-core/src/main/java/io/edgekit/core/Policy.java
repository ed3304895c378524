package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The API-gateway role's extension point: decides whether a routed request may go on. Policies run
 * after routing and before filters, edge-wide ones first, in the order added; the first deny answers. An
 * identity an allow carries is on the exchange ({@link Exchange#identity}) for the policies after it (an
 * auth policy first, then the rate limits and plans that count by consumer).
 * A policy never transforms bodies or calls business services, and it must not block.
 */
@FunctionalInterface
public interface Policy {

    CompletionStage<Decision> evaluate(Exchange exchange, Request request);

    /** The name {@code explain} shows for this policy. */
    default String name() {
        return Names.of(this);
    }

    /**
     * The request fields this policy sets on the requests it allows (identity fields such as
     * {@code X-Auth-Subject}): the edge removes any a client sends, before routing, in any case and with
     * {@code _} for {@code -}, so that only the policy's own values reach an upstream. None by default.
     */
    default Set<String> ownedHeaders() {
        return Set.of();
    }

    static Policy named(String name, Policy policy) {
        requireNonNull(name, "name");
        requireNonNull(policy, "policy");
        return new Policy() {
            @Override
            public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
                return policy.evaluate(exchange, request);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Set<String> ownedHeaders() {
                return policy.ownedHeaders();
            }
        };
    }

    /**
     * All policies must allow, evaluated in order; the first deny answers. The allows' identities
     * (the last one wins) and headers are combined; an identity is on the exchange for the policies after
     * the one that set it.
     */
    static Policy allOf(Policy... policies) {
        List<Policy> copy = List.of(policies);
        return new Policy() {
            @Override
            public CompletionStage<Decision> evaluate(Exchange exchange, Request request) {
                return evaluateFrom(0, Decision.allow(), exchange, request);
            }

            private CompletionStage<Decision> evaluateFrom(int index, Decision sum, Exchange exchange,
                    Request request) {
                if (index == copy.size()) {
                    return CompletableFuture.completedFuture(sum);
                }
                return copy.get(index).evaluate(exchange, request).thenCompose(d -> {
                    if (!d.isAllowed()) {
                        return CompletableFuture.completedFuture(d);
                    }
                    d.identity().ifPresent(exchange::identity); // the policies after it see who it is
                    return evaluateFrom(index + 1, Decisions.merge(sum, d), exchange, request);
                });
            }

            @Override
            public String name() {
                return "allOf" + copy.stream().map(Policy::name).toList();
            }

            @Override
            public Set<String> ownedHeaders() {
                Set<String> all = new java.util.HashSet<>();
                copy.forEach(policy -> all.addAll(policy.ownedHeaders()));
                return Set.copyOf(all);
            }
        };
    }
}
