package io.edgekit.gateway;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Decision;
import io.edgekit.core.Policy;
import io.edgekit.core.TrustedProxies;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The API-gateway role's built-in policies. Each decides from the request and the exchange alone, never
 * blocks, and denies with an {@code application/problem+json} response.
 */
public final class Policies {
    private static final CompletionStage<Decision> ALLOW = CompletableFuture.completedFuture(Decision.allow());

    private Policies() {
    }

    /**
     * Allows only clients whose address (as the edge resolved it through its trusted proxies) lies in
     * one of {@code cidrs}; others get 403.
     */
    public static Policy allowClients(String... cidrs) {
        return clientList("allowClients", cidrs, true, CLIENT_DENIED);
    }

    /** As {@link #allowClients(String...)}, answering others with {@code denial}. */
    public static Policy allowClients(Denial denial, String... cidrs) {
        return clientList("allowClients", cidrs, true, requireNonNull(denial, "denial"));
    }

    /** Denies clients whose address lies in one of {@code cidrs} with 403. */
    public static Policy denyClients(String... cidrs) {
        return clientList("denyClients", cidrs, false, CLIENT_DENIED);
    }

    /** As {@link #denyClients(String...)}, answering them with {@code denial}. */
    public static Policy denyClients(Denial denial, String... cidrs) {
        return clientList("denyClients", cidrs, false, requireNonNull(denial, "denial"));
    }

    private static final Denial CLIENT_DENIED = Denial.of(403, "Forbidden", "client address not allowed");

    private static Policy clientList(String name, String[] cidrs, boolean allowListed, Denial denial) {
        TrustedProxies blocks = TrustedProxies.of(List.of(cidrs));
        CompletionStage<Decision> deny = CompletableFuture.completedFuture(denial.decision());
        return Policy.named(name + List.of(cidrs),
                (exchange, request) -> blocks.contains(exchange.clientAddress()) == allowListed ? ALLOW : deny);
    }

    /** Requires header {@code name} to be present; requests without it get 400. */
    public static Policy requireHeader(String name) {
        return requireHeader(name, Denial.of(400, "Bad Request", "header " + name + " is required"));
    }

    /** Requires header {@code name} to be present; requests without it get {@code denial}. */
    public static Policy requireHeader(String name, Denial denial) {
        requireNonNull(name, "name");
        io.edgekit.core.internal.HttpTokens.requireFieldName("requireHeader", name);
        CompletionStage<Decision> deny = CompletableFuture.completedFuture(requireNonNull(denial, "denial").decision());
        return Policy.named("requireHeader(" + name + ")",
                (exchange, request) -> request.headers().contains(name) ? ALLOW : deny);
    }
}
