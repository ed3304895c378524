package io.edgekit.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one exchange's attempts at an upstream: asks the picker per attempt, the admission whether it may
 * go, sends it through the transport with its own timeout, tells the picker, the admission and the
 * listener how it ended, asks the retry rule (within the attempt limit and the retry budget) whether to
 * try again after a backoff, and sends hedges while none has answered; the first response wins and the
 * others are cancelled, their bodies discarded.
 *
 * <p>Not thread-safe: every step runs on the exchange's thread (the runtime completes attempts and runs
 * timers on the IO thread that owns the request).
 */
final class AttemptUnit {
    private static final Logger logger = LoggerFactory.getLogger(Edge.class);
    private static final long MIRROR_MAX_RESPONSE = 1024 * 1024;

    private final Exchange exchange;
    private final Route route;
    private final EndpointGroup group;
    private final Upstream upstream;
    private final Timeouts timeouts;
    private final Transport transport;
    private final CompletableFuture<Response> result = new CompletableFuture<>();
    private final List<Live> inFlight = new ArrayList<>(1);
    private List<Endpoint> tried = List.of();
    private Request request;
    private int made;
    private int hedges;
    private Throwable lastFailure;
    private Scheduler.Cancellable hedgeTimer;
    private boolean cancelled;
    private boolean requestEnded;

    /** One attempt in flight: the attempt, the picker that picked it, its stage and its timer. */
    private static final class Live {
        final Attempt attempt;
        final Balancer.Picker picker;
        CompletionStage<Response> stage;
        Scheduler.Cancellable timer;
        boolean timedOut;
        /** The attempt holds one of the retry budget's places, given back when it ends. */
        boolean budgeted;

        Live(Attempt attempt, Balancer.Picker picker) {
            this.attempt = attempt;
            this.picker = picker;
        }
    }

    AttemptUnit(Exchange exchange, Route route, EndpointGroup group, Upstream upstream, Timeouts timeouts,
            Transport transport) {
        this.exchange = exchange;
        this.route = route;
        this.group = group;
        this.upstream = upstream;
        this.timeouts = timeouts;
        this.transport = transport;
    }

    String upstreamName() {
        return upstream.name();
    }

    CompletionStage<Response> run(Request request) {
        long replay = upstream.replayBufferBytes();
        Body body = request.body();
        if (replay > 0 && !body.isEmpty() && !(body instanceof io.edgekit.core.internal.BytesBody)
                && body.length() > replay) {
            group.countTooLargeToReplay(); // streams: a retry after it was sent is given up
        } else if (replay > 0 && !body.isEmpty() && !(body instanceof io.edgekit.core.internal.BytesBody)) {
            // kept in memory up to the bound so that it can be sent again; past it, it streams on (not replayable)
            return body.buffer(replay).thenCompose(buffered -> {
                if (!buffered.isComplete()) {
                    group.countTooLargeToReplay(); // streams on: a retry after it was sent is given up
                }
                return start(request.withBody(buffered.body()));
            });
        }
        return start(request);
    }

    private CompletionStage<Response> start(Request request) {
        if (cancelled) {
            return result; // answered otherwise while the body was being read
        }
        this.request = request;
        upstream.retryBudget().onRequest();
        launch(Attempt.Kind.FIRST, false);
        if (!result.isDone() && !upstream.hedgeDelay().isZero() && RetryRule.isIdempotent(request.method())
                && inFlight.size() == 1 && inFlight.get(0).attempt.isReplayable()) {
            scheduleHedge();
        }
        return result;
    }

    /** The request is over as far as the retry budget goes: answered, failed or abandoned. Once. */
    private void endRequest() {
        if (!requestEnded) {
            requestEnded = true;
            upstream.retryBudget().onRequestEnd();
        }
    }

    private void release(boolean budgeted) {
        if (budgeted) {
            upstream.retryBudget().onRetryEnd();
        }
    }

    /** Abandons every attempt in flight (the exchange was answered otherwise: a total timeout). */
    void cancel() {
        cancelled = true;
        if (request != null) {
            endRequest();
        }
        if (hedgeTimer != null) {
            hedgeTimer.cancel();
        }
        for (Live live : List.copyOf(inFlight)) {
            cancelStage(live);
        }
    }

    private void scheduleHedge() {
        hedgeTimer = exchange.scheduler().schedule(upstream.hedgeDelay(), () -> {
            if (result.isDone() || inFlight.isEmpty() || hedges >= upstream.maxHedges() || !mayMakeAnother()
                    || !upstream.retryBudget().tryRetry()) {
                return;
            }
            hedges++;
            launch(Attempt.Kind.HEDGE, true);
            if (hedges < upstream.maxHedges()) {
                scheduleHedge();
            }
        });
    }

    private boolean mayMakeAnother() {
        return !cancelled && made < upstream.maxAttempts() && made < group.snapshot().all().size();
    }

    private void launch(Attempt.Kind kind, boolean budgeted) {
        Attempt attempt = new Attempt(exchange, request, ++made, tried, kind, upstream, timeouts);
        attempt.group(group);
        Balancer.Picker picker = group.picker();
        Optional<Endpoint> picked = picker.pick(attempt);
        if (picked.isEmpty()) {
            release(budgeted);
            ended(null, attempt, new Outcome(null, Outcome.Kind.UNAVAILABLE, 0, 0),
                    UpstreamException.unavailable("upstream '" + upstream.name() + "' has no available endpoint"));
            return;
        }
        Endpoint endpoint = picked.get();
        if (tried.isEmpty()) {
            tried = List.of(endpoint);
        } else {
            List<Endpoint> nowTried = new ArrayList<>(tried.size() + 1);
            nowTried.addAll(tried);
            nowTried.add(endpoint);
            tried = List.copyOf(nowTried);
        }
        attempt.picked(endpoint, outbound(route, request, endpoint), exchange.ticker().nanos());
        if (!upstream.admission().admit(attempt)) {
            release(budgeted);
            ended(null, attempt, new Outcome(endpoint, Outcome.Kind.UNAVAILABLE, 0, 0),
                    UpstreamException.overloaded("upstream '" + upstream.name() + "': admission refused "
                            + endpoint));
            return;
        }
        Live live = new Live(attempt, picker);
        live.budgeted = budgeted;
        inFlight.add(live);
        exchange.listener().attemptStarted(attempt);
        CompletionStage<Response> stage = send(transport, attempt);
        live.stage = stage;
        if (!upstream.attemptTimeout().isZero()) {
            live.timer = exchange.scheduler().schedule(upstream.attemptTimeout(), () -> {
                live.timedOut = true;
                cancelStage(live);
            });
        }
        stage.whenComplete((response, error) -> onEnded(live, response, error));
    }

    private static void cancelStage(Live live) {
        if (live.stage instanceof CompletableFuture<Response> future) {
            future.cancel(false);
        }
    }

    private void onEnded(Live live, Response response, Throwable error) {
        if (!inFlight.remove(live)) {
            return;
        }
        if (live.timer != null) {
            live.timer.cancel();
        }
        release(live.budgeted);
        Attempt attempt = live.attempt;
        long latency = exchange.ticker().nanos() - attempt.startNanos();
        Throwable cause = error == null ? null : ExchangeCall.unwrap(error);
        Outcome.Kind kind;
        if (cause == null) {
            kind = Outcome.Kind.RESPONSE;
        } else if (live.timedOut) {
            kind = Outcome.Kind.TIMEOUT;
            cause = UpstreamException.timeout("attempt " + attempt.number() + " to " + attempt.endpoint()
                    + " timed out");
        } else {
            kind = kindOf(cause);
        }
        Outcome outcome = new Outcome(attempt.endpoint(), kind, response == null ? 0 : response.status(), latency,
                cause == null ? null : cause.getMessage());
        if (response != null) {
            attempt.response(response);
        }
        live.picker.onComplete(attempt, outcome);
        upstream.admission().onComplete(attempt, outcome);
        if (result.isDone()) { // a hedge that lost, or the exchange was answered otherwise
            exchange.listener().attemptEnded(attempt, outcome);
            if (response != null) {
                response.body().discard();
            }
            return;
        }
        if (cause != null) {
            logger.debug("request {} route '{}' attempt {} to {} failed: {}", exchange.requestId(), route.id(),
                    attempt.number(), attempt.endpoint(), cause.getMessage());
        }
        ended(live, attempt, outcome, cause, response);
    }

    private void ended(Live live, Attempt attempt, Outcome outcome, Throwable cause) {
        ended(live, attempt, outcome, cause, null);
    }

    /** Decides what follows an attempt's end: the answer, a retry, or waiting for a hedge still in flight. */
    private void ended(Live live, Attempt attempt, Outcome outcome, Throwable cause, Response response) {
        exchange.listener().attemptEnded(attempt, outcome);
        RetryRule rule = route.retryRuleFor(upstream);
        RetryRule.Verdict verdict = mayMakeAnother() ? rule.decide(attempt, outcome) : RetryRule.Verdict.stop();
        if (response != null && !verdict.retry()) {
            win(attempt, response);
            return;
        }
        // a retry after nothing was sent (no connection, or refused before sending) adds no load: it is free
        boolean free = outcome.kind() == Outcome.Kind.CONNECT_FAILED || outcome.kind() == Outcome.Kind.UNAVAILABLE;
        boolean budgeted = verdict.retry() && !free && upstream.retryBudget().tryRetry();
        if (verdict.retry() && !free && !budgeted) {
            group.countRetryRefused();
        }
        if (budgeted || verdict.retry() && free) {
            if (response != null) {
                response.body().discard();
            }
            lastFailure = cause;
            if (verdict.backoff().isZero()) {
                launch(Attempt.Kind.RETRY, budgeted);
            } else {
                exchange.scheduler().schedule(verdict.backoff(), () -> {
                    if (result.isDone()) {
                        release(budgeted);
                    } else {
                        launch(Attempt.Kind.RETRY, budgeted);
                    }
                });
            }
            return;
        }
        if (response != null) {
            win(attempt, response); // the rule asked to retry but the budget is spent: this answer stands
            return;
        }
        lastFailure = cause;
        if (inFlight.isEmpty()) {
            if (hedgeTimer != null) {
                hedgeTimer.cancel();
            }
            endRequest();
            result.completeExceptionally(lastFailure);
        }
    }

    private void win(Attempt attempt, Response response) {
        if (hedgeTimer != null) {
            hedgeTimer.cancel();
        }
        exchange.servingAttempt(attempt);
        endRequest();
        result.complete(response);
        for (Live other : List.copyOf(inFlight)) {
            cancelStage(other); // after answering: the losers end as cancelled, their bodies discarded
        }
    }

    /** Sends through the transport; a transport that throws fails the attempt instead. */
    private static CompletionStage<Response> send(Transport transport, Attempt attempt) {
        try {
            return transport.send(attempt);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** How a failed attempt ended: its {@link UpstreamException}'s kind, else abandoned by the edge. */
    private static Outcome.Kind kindOf(Throwable cause) {
        return cause instanceof UpstreamException ue ? ue.kind() : Outcome.Kind.CANCELLED;
    }

    /** The request as it goes to {@code endpoint}: the route's path and host rewrites applied. */
    static Request outbound(Route route, Request request, Endpoint endpoint) {
        String path = route.upstreamPath(request.path());
        Request outbound = path.equals(request.path()) ? request : request.withPath(path);
        if (route.upstreamHostFromEndpoint()) {
            outbound = outbound.withAuthority(endpoint.address());
        } else if (route.upstreamHost().isPresent()) {
            outbound = outbound.withAuthority(route.upstreamHost().get());
        }
        return outbound;
    }

    /** Fire and forget: the copy's answer is read and dropped, its failure only logged. */
    static void mirror(Exchange exchange, Route route, EndpointGroup group, Upstream upstream, Timeouts timeouts,
            Transport transport, Request copy) {
        Attempt attempt = new Attempt(exchange, copy, 1, List.of(), Attempt.Kind.MIRROR, upstream, timeouts);
        attempt.group(group);
        Balancer.Picker picker = group.picker();
        Optional<Endpoint> endpoint = picker.pick(attempt);
        if (endpoint.isEmpty()) {
            return;
        }
        attempt.picked(endpoint.get(), outbound(route, copy, endpoint.get()), exchange.ticker().nanos());
        exchange.listener().attemptStarted(attempt);
        send(transport, attempt).thenCompose(response -> response.body().aggregate(MIRROR_MAX_RESPONSE).thenApply(b -> response))
                .whenComplete((response, error) -> {
                    long latency = exchange.ticker().nanos() - attempt.startNanos();
                    Throwable cause = error == null ? null : ExchangeCall.unwrap(error);
                    Outcome.Kind kind = cause == null ? Outcome.Kind.RESPONSE : kindOf(cause);
                    Outcome outcome = new Outcome(endpoint.get(), kind, response == null ? 0 : response.status(),
                            latency);
                    picker.onComplete(attempt, outcome);
                    exchange.listener().attemptEnded(attempt, outcome);
                    if (cause != null) {
                        logger.debug("request {} route '{}' mirror to {} failed: {}", exchange.requestId(),
                                route.id(), endpoint.get(), cause.toString());
                    }
                });
    }
}
