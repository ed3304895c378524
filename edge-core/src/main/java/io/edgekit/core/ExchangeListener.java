package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Told what happens to one exchange, from the head's arrival to the last byte: the seam that metrics,
 * access logs, tracing and analytics stand on, so that none of them edits the engine. Every response the
 * edge writes, its own earliest refusals included, ends in exactly one {@link #completed} call.
 *
 * <p>A listener is made per exchange by its {@link Factory} (set with {@link Edge.Builder#listener}) and
 * is called from the exchange's steps, one after another, on the thread that runs the step (usually the
 * IO thread): it must not block and should not throw (an exception is logged and ignored). The events, in
 * order: {@link #headReceived}, then {@link #routed} (or {@link #noRoute}), {@link #policyDecided} once
 * per policy that ran, {@link #attemptStarted} and {@link #attemptEnded} per upstream attempt (several may
 * be in flight when hedging; a mirror's copy is an attempt of kind {@link Attempt.Kind#MIRROR} and may end
 * after the exchange completed), {@link #responseHeadWritten}, then {@link #completed}. A refusal made
 * before the engine (a malformed head, too many header fields, the edge draining) goes straight from
 * {@code headReceived} to {@code responseHeadWritten} and {@code completed}.
 */
public interface ExchangeListener {
    /** Listens to nothing; costs one call per exchange to its factory. */
    ExchangeListener NONE = new ExchangeListener() {
    };

    /** The request head arrived (for an early refusal: as far as it could be read). */
    default void headReceived(Exchange exchange) {
    }

    /** A route matched; {@code exchange.routeMatch()} holds it. */
    default void routed(Exchange exchange, RouteMatch match) {
    }

    /** No route matched (the edge answers 404), or the request was refused before routing (400). */
    default void noRoute(Exchange exchange) {
    }

    /** A policy decided (allow or deny). */
    default void policyDecided(Exchange exchange, Policy policy, Decision decision) {
    }

    /** An attempt is about to be sent to {@link Attempt#endpoint()}. */
    default void attemptStarted(Attempt attempt) {
    }

    /** An attempt ended: a response head arrived, or it failed, timed out or was cancelled. */
    default void attemptEnded(Attempt attempt, Outcome outcome) {
    }

    /** The response head went to the client with this status. */
    default void responseHeadWritten(Exchange exchange, int status) {
    }

    /** The exchange is over: the last byte went out, or the response failed. Called exactly once. */
    default void completed(Exchange exchange, Completion completion) {
    }

    /**
     * Makes the listener of each exchange. Called once per exchange, on the IO thread: keep it cheap. Being
     * edge-wide, it also hears the edge-wide events: {@link #endpointsChanged}.
     */
    @FunctionalInterface
    interface Factory {
        /** The factory of {@link #NONE}. */
        Factory NONE = exchange -> ExchangeListener.NONE;

        ExchangeListener create(Exchange exchange);

        /**
         * An upstream's endpoints changed (added, removed, re-weighted, drained, ejected, restored): the new
         * snapshot, once per change (and each upstream's first), on the thread that made it. Must not block.
         */
        default void endpointsChanged(EndpointSnapshot snapshot) {
        }
    }

    /** One listener that tells each of {@code listeners}, in order. */
    static ExchangeListener compose(List<ExchangeListener> listeners) {
        List<ExchangeListener> all = List.copyOf(listeners);
        if (all.isEmpty()) {
            return NONE;
        }
        if (all.size() == 1) {
            return all.get(0);
        }
        return new Composite(all.toArray(new ExchangeListener[0]));
    }

    /** One factory whose listeners tell each factory's listener, in order. */
    static Factory composeFactories(List<Factory> factories) {
        Factory[] all = List.copyOf(factories).toArray(new Factory[0]);
        if (all.length == 0) {
            return Factory.NONE;
        }
        if (all.length == 1) {
            return all[0];
        }
        return new Factory() {
            @Override
            public ExchangeListener create(Exchange exchange) {
                ExchangeListener[] listeners = new ExchangeListener[all.length];
                for (int i = 0; i < all.length; i++) {
                    listeners[i] = requireNonNull(all[i].create(exchange), "listener");
                }
                return new Composite(listeners);
            }

            @Override
            public void endpointsChanged(EndpointSnapshot snapshot) {
                for (Factory factory : all) {
                    factory.endpointsChanged(snapshot);
                }
            }
        };
    }

    /** Tells several listeners; one that throws does not keep the others from hearing. */
    final class Composite implements ExchangeListener {
        private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(ExchangeListener.class);
        private final ExchangeListener[] listeners;

        private Composite(ExchangeListener[] listeners) {
            this.listeners = listeners;
        }

        private void each(java.util.function.Consumer<ExchangeListener> event) {
            for (ExchangeListener listener : listeners) {
                try {
                    event.accept(listener);
                } catch (RuntimeException e) {
                    logger.warn("exchange listener {} failed", listener, e);
                }
            }
        }

        @Override
        public void headReceived(Exchange exchange) {
            each(l -> l.headReceived(exchange));
        }

        @Override
        public void routed(Exchange exchange, RouteMatch match) {
            each(l -> l.routed(exchange, match));
        }

        @Override
        public void noRoute(Exchange exchange) {
            each(l -> l.noRoute(exchange));
        }

        @Override
        public void policyDecided(Exchange exchange, Policy policy, Decision decision) {
            each(l -> l.policyDecided(exchange, policy, decision));
        }

        @Override
        public void attemptStarted(Attempt attempt) {
            each(l -> l.attemptStarted(attempt));
        }

        @Override
        public void attemptEnded(Attempt attempt, Outcome outcome) {
            each(l -> l.attemptEnded(attempt, outcome));
        }

        @Override
        public void responseHeadWritten(Exchange exchange, int status) {
            each(l -> l.responseHeadWritten(exchange, status));
        }

        @Override
        public void completed(Exchange exchange, Completion completion) {
            each(l -> l.completed(exchange, completion));
        }
    }
}
