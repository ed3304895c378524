package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link Policy} decided: allow (optionally with an identity and headers to add to the request
 * that goes on and to the response that comes back) or deny with the response the client gets.
 */
public final class Decision {
    private static final Decision ALLOW = new Decision(null, null, Headers.of(), Headers.of());

    private final Response denial;
    private final Identity identity;
    private final Headers requestHeaders;
    private final Headers responseHeaders;

    private Decision(Response denial, Identity identity, Headers requestHeaders, Headers responseHeaders) {
        this.denial = denial;
        this.identity = identity;
        this.requestHeaders = requestHeaders;
        this.responseHeaders = responseHeaders;
    }

    public static Decision allow() {
        return ALLOW;
    }

    public static Decision deny(Response response) {
        requireNonNull(response, "response");
        return new Decision(response, null, Headers.of(), Headers.of());
    }

    /** Denies with an {@code application/problem+json} response. */
    public static Decision deny(int status, String title, String detail) {
        return deny(Response.problem(status, title, detail));
    }

    /** This decision as an already completed stage: what a policy that decides at once returns. */
    public CompletionStage<Decision> completed() {
        return CompletableFuture.completedFuture(this);
    }

    public boolean isAllowed() {
        return denial == null;
    }

    /** The response a denial answers with. */
    public Optional<Response> denial() {
        return Optional.ofNullable(denial);
    }

    public Optional<Identity> identity() {
        return Optional.ofNullable(identity);
    }

    public Headers requestHeaders() {
        return requestHeaders;
    }

    public Headers responseHeaders() {
        return responseHeaders;
    }

    public Decision withIdentity(Identity identity) {
        checkAllowed("withIdentity");
        return new Decision(null, requireNonNull(identity, "identity"), requestHeaders, responseHeaders);
    }

    /** An allow that sets {@code name: value} on the request sent on. */
    public Decision withRequestHeader(String name, String value) {
        checkAllowed("withRequestHeader");
        return new Decision(null, identity, requestHeaders.with(name, value), responseHeaders);
    }

    /** An allow that sets {@code name: value} on the response returned to the client. */
    public Decision withResponseHeader(String name, String value) {
        checkAllowed("withResponseHeader");
        return new Decision(null, identity, requestHeaders, responseHeaders.with(name, value));
    }

    private void checkAllowed(String method) {
        if (denial != null) {
            throw new IllegalStateException(method + "(...) on a deny decision (expected: an allow)");
        }
    }

    @Override
    public String toString() {
        return denial == null ? "Decision[allow]" : "Decision[deny " + denial.status() + "]";
    }
}
