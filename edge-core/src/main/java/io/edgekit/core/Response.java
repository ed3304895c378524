package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An immutable HTTP response: status, headers and a (usually streamed) body. Thread-safe. */
public final class Response {
    private final int status;
    private final Headers headers;
    private final Body body;
    private final Problem problem;

    private Response(int status, Headers headers, Body body, Problem problem) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
        }
        this.status = status;
        this.headers = requireNonNull(headers, "headers");
        this.body = requireNonNull(body, "body");
        this.problem = problem;
    }

    public static Response of(int status) {
        return new Response(status, Headers.of(), Body.empty(), null);
    }

    public static Response of(int status, Headers headers, Body body) {
        return new Response(status, headers, body, null);
    }

    /** A text response with a {@code content-type}. */
    public static Response of(int status, String contentType, String body) {
        Body bytes = Body.of(body);
        return new Response(status, Headers.of("content-type", contentType), bytes, null);
    }

    /**
     * An {@code application/problem+json} response (RFC 9457). The edge fills in the request id when
     * it writes the response; the detail must not name internal hosts, tokens or exceptions.
     */
    public static Response problem(int status, String title, String detail) {
        return problem(new Problem(status, title, detail));
    }

    /** As {@link #problem(int, String, String)}, for a problem of its own type. */
    public static Response problem(Problem problem) {
        return new Response(problem.status(), Headers.of("content-type", Problem.MEDIA_TYPE),
                Body.of(problem.toJson(null)), problem);
    }

    public int status() {
        return status;
    }

    public Headers headers() {
        return headers;
    }

    public Body body() {
        return body;
    }

    /** The problem this response carries, when the edge or a filter made it with {@link #problem}. */
    public Optional<Problem> problem() {
        return Optional.ofNullable(problem);
    }

    public Response withStatus(int status) {
        return new Response(status, headers, body, null);
    }

    public Response withHeaders(Headers headers) {
        return new Response(status, headers, body, problem);
    }

    /** A copy where {@code name} has the single value {@code value}. */
    public Response withHeader(String name, String value) {
        return new Response(status, headers.with(name, value), body, problem);
    }

    public Response withBody(Body body) {
        return new Response(status, headers, body, null);
    }

    /** This response as the edge writes it: a problem's body carries the request id. */
    Response rendered(Exchange exchange) {
        if (problem == null) {
            return this; // asks for no id: an edge that sends none makes one only for its own problems
        }
        return new Response(status, headers, Body.of(problem.toJson(exchange.requestId())), problem);
    }

    /** This response as an already completed stage: the synchronous fast path of filters. */
    public CompletionStage<Response> completed() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public String toString() {
        return "Response[" + status + ", " + headers + ", " + body + "]";
    }
}
