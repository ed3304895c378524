package io.edgekit.core;

import io.edgekit.core.internal.BytesBody;
import io.edgekit.core.internal.EngineAttrs;
import io.edgekit.core.internal.Forwarding;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange's way through the engine: decorators, routing, policies, filters, the target. Steps run
 * one after another; only the total timeout may race them.
 */
final class ExchangeCall {
    private static final Logger logger = LoggerFactory.getLogger(Edge.class);
    private static final long MIRROR_MAX_BODY = 64 * 1024;

    private final Edge edge;
    private final RoutePlans snap;
    private final Exchange exchange;
    private final Transport transport;
    private final CompletableFuture<Response> result = new CompletableFuture<>();
    private RoutePlans.Plan plan;
    private Scheduler.Cancellable totalTimer;
    private AttemptUnit attempts;

    ExchangeCall(Edge edge, RoutePlans snap, Exchange exchange, Transport transport) {
        this.edge = edge;
        this.snap = snap;
        this.exchange = exchange;
        this.transport = transport;
    }

    CompletionStage<Response> start() {
        CompletionStage<Response> stage;
        try {
            stage = edge.decorators.length == 0 ? route(exchange.request()) : decorate(0, exchange.request());
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e); // a decorator, policy or filter that threw
        }
        stage.whenComplete(this::finish);
        return result;
    }

    private CompletionStage<Response> decorate(int index, Request request) {
        if (index == edge.decorators.length) {
            return route(request);
        }
        return edge.decorators[index].filter(exchange, request, next -> decorate(index + 1, next));
    }

    private CompletionStage<Response> route(Request request) {
        String rejection = exchange.getOrNull(EngineAttrs.REJECTION);
        if (rejection != null) {
            logger.debug("request {} rejected: {}", exchange.requestId(), rejection);
            exchange.listener().noRoute(exchange);
            return Response.problem(400, "Bad Request", rejection).completed();
        }
        Optional<RouteMatch> match = snap.table.match(request);
        if (match.isEmpty()) {
            logger.debug("request {} {} {}: no route", exchange.requestId(), request.method(), request.path());
            exchange.listener().noRoute(exchange);
            return Response.problem(404, "Not Found", "no route matches " + request.method() + " "
                    + request.path()).completed();
        }
        plan = snap.plan(match.get().route());
        if (plan == null) {
            throw new IllegalStateException("the router matched route '" + match.get().route().id()
                    + "', which it was not compiled from");
        }
        exchange.routeMatch(match.get());
        exchange.listener().routed(exchange, match.get());
        exchange.put(EngineAttrs.MAX_REQUEST_BODY, plan.maxRequestBodyBytes());
        exchange.put(EngineAttrs.TIMEOUTS, plan.timeouts());
        long length = request.body().length();
        if (length > plan.maxRequestBodyBytes()) {
            return tooLarge(plan.maxRequestBodyBytes()).completed();
        }
        if (!plan.timeouts().total().isZero() && totalTimer == null) {
            totalTimer = exchange.scheduler().schedule(plan.timeouts().total(), this::onTotalTimeout);
        }
        return policies(0, Decision.allow(), request);
    }

    private CompletionStage<Response> policies(int index, Decision sum, Request request) {
        Policy[] all = plan.policies();
        Decision decision = sum;
        for (int i = index; i < all.length; i++) {
            Policy policy = all[i];
            CompletionStage<Decision> stage = policy.evaluate(exchange, request);
            if (stage instanceof CompletableFuture<Decision> future && future.isDone()
                    && !future.isCompletedExceptionally()) {
                Decision d = future.join();
                exchange.listener().policyDecided(exchange, policy, d);
                if (!d.isAllowed()) {
                    return CompletableFuture.completedFuture(denial(decision, d));
                }
                d.identity().ifPresent(exchange::identity); // the policies after it see who it is
                decision = Decisions.merge(decision, d);
                continue;
            }
            int next = i + 1;
            Decision soFar = decision;
            return stage.thenCompose(d -> {
                exchange.listener().policyDecided(exchange, policy, d);
                if (!d.isAllowed()) {
                    return CompletableFuture.completedFuture(denial(soFar, d));
                }
                d.identity().ifPresent(exchange::identity); // the policies after it see who it is
                return policies(next, Decisions.merge(soFar, d), request);
            });
        }
        return allowed(decision, request);
    }

    /** A deny's response, with the response headers the allows before it added. */
    private static Response denial(Decision allowedSoFar, Decision deny) {
        Response response = deny.denial().get();
        Headers add = allowedSoFar.responseHeaders();
        return add.isEmpty() ? response : withHeaders(response, add);
    }

    private static Response withHeaders(Response response, Headers add) {
        Headers.Builder headers = response.headers().toBuilder();
        for (int i = 0; i < add.size(); i++) {
            headers.set(add.name(i), add.value(i));
        }
        return response.withHeaders(headers.build());
    }

    private CompletionStage<Response> allowed(Decision decision, Request request) {
        Request current = request;
        if (decision != Decision.allow()) {
            decision.identity().ifPresent(exchange::identity);
            Headers add = decision.requestHeaders();
            if (!add.isEmpty()) {
                Headers.Builder headers = current.headers().toBuilder();
                for (int i = 0; i < add.size(); i++) {
                    headers.set(add.name(i), add.value(i));
                }
                current = current.withHeaders(headers.build());
            }
        }
        CompletionStage<Response> response = filter(0, current);
        Headers responseHeaders = decision.responseHeaders();
        if (responseHeaders.isEmpty()) {
            return response;
        }
        return response.thenApply(r -> withHeaders(r, responseHeaders));
    }

    private CompletionStage<Response> filter(int index, Request request) {
        if (index == plan.filters().length) {
            return target(request);
        }
        return plan.filters()[index].filter(exchange, request, next -> filter(index + 1, next));
    }

    private CompletionStage<Response> target(Request request) {
        Route route = plan.route();
        if (plan.mirror() != null && ThreadLocalRandom.current().nextDouble() < route.mirrorFraction()) {
            Body body = request.body();
            if (body.isEmpty() || body instanceof BytesBody) {
                mirror(request);
            } else if (body.length() > 0 && body.length() <= MIRROR_MAX_BODY) {
                return body.aggregate(MIRROR_MAX_BODY).thenCompose(bytes -> {
                    Request whole = request.withBody(Body.of(bytes));
                    mirror(whole);
                    return send(whole);
                });
            }
        }
        return send(request);
    }

    private CompletionStage<Response> send(Request request) {
        if (plan.targets().length == 0) {
            return plan.route().handler().get().handle(exchange, request);
        }
        int target = plan.split() == null ? 0 : plan.split().choose(exchange, request);
        attempts = new AttemptUnit(exchange, plan.route(), plan.groups()[target], plan.targets()[target],
                plan.timeouts(), transport);
        return attempts.run(request);
    }

    private void mirror(Request request) {
        EndpointGroup shadow = plan.mirror();
        Request copy = request.withHeader(Edge.MIRROR_HEADER, exchange.requestId());
        AttemptUnit.mirror(exchange, plan.route(), shadow, plan.route().mirror().get(), plan.timeouts(), transport,
                copy);
    }

    private void onTotalTimeout() {
        if (result.isDone()) {
            return;
        }
        finish(null, UpstreamException.timeout("the request did not complete within "
                + plan.timeouts().total().toMillis() + " ms"));
        AttemptUnit current = attempts;
        if (current != null) {
            current.cancel(); // after answering, so the cancellation is not taken for the answer
        }
    }

    private void finish(Response response, Throwable error) {
        if (result.isDone()) {
            return;
        }
        if (totalTimer != null) {
            totalTimer.cancel();
        }
        Response out = error == null ? response : errorResponse(unwrap(error));
        out = out.rendered(exchange);
        if (edge.requestIdField) {
            out = out.withHeader(Forwarding.REQUEST_ID, exchange.requestId());
        }
        result.complete(out);
    }

    private Response errorResponse(Throwable error) {
        if (error instanceof UpstreamException ue) {
            String name = attempts == null ? "" : " '" + attempts.upstreamName() + "'";
            switch (ue.status()) {
                case 504:
                    return Response.problem(504, "Gateway Timeout",
                            ue.kind() == Outcome.Kind.TIMEOUT && ue.getMessage().startsWith("the request")
                                    ? ue.getMessage() : "upstream" + name + " did not answer in time");
                case 503:
                    if (ue.isOverloaded()) {
                        return Response.problem(503, "Service Unavailable", "upstream" + name
                                + " is at its limit of requests").withHeader("retry-after", "1");
                    }
                    return Response.problem(503, "Service Unavailable",
                            "upstream" + name + " has no endpoint available");
                default:
                    return Response.problem(502, "Bad Gateway", ue.kind() == Outcome.Kind.CONNECT_FAILED
                            ? "could not connect to upstream" + name
                            : "upstream" + name + " failed before completing its response");
            }
        }
        if (error instanceof Body.TooLargeException tooLarge) {
            return tooLarge(tooLarge.maxBytes());
        }
        if (error instanceof Body.MalformedException malformed) {
            return Response.problem(400, "Bad Request", malformed.getMessage());
        }
        if (error instanceof Body.StalledException) {
            return Response.problem(408, "Request Timeout", "the request body stalled");
        }
        if (error instanceof CancellationException) {
            return Response.problem(503, "Service Unavailable", "the request was cancelled");
        }
        if (error instanceof RejectedExecutionException) {
            logger.warn("request {} route '{}': the offload executor is full", exchange.requestId(), routeId());
            return Response.problem(503, "Service Unavailable", "the edge is busy").withHeader("retry-after", "1");
        }
        logger.error("request {} route '{}': unexpected failure", exchange.requestId(), routeId(), error);
        return Response.problem(500, "Internal Server Error", "the edge failed to handle the request");
    }

    private String routeId() {
        return plan == null ? "-" : plan.route().id();
    }

    static Response tooLarge(long max) {
        return Response.problem(413, "Content Too Large", "request body exceeds " + max + " bytes");
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
