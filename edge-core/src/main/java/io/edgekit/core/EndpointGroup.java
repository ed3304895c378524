package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live endpoints of one upstream: each endpoint's identity (upstream name + address) outlives route
 * and configuration swaps, and its state ({@link EndpointState}) changes at runtime through this class:
 * add, remove, re-weight, drain, eject for a while, restore. Every change publishes a new
 * {@link EndpointSnapshot}, from which the upstream's {@link Balancer} makes the picker the engine uses;
 * subscribers (health checkers, an admin view) are told of each snapshot.
 *
 * <p>Thread-safe: changes are serialised (they are rare and off the request path); the request path reads
 * the current picker from a volatile field, without locks.
 */
public final class EndpointGroup {
    private static final Logger logger = LoggerFactory.getLogger(EndpointGroup.class);

    private final String name;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final List<Consumer<EndpointSnapshot>> subscribers = new CopyOnWriteArrayList<>();
    private final List<EndpointState> states = new ArrayList<>();
    private Balancer balancer;
    private long version;
    private volatile EndpointSnapshot snapshot;
    private volatile Balancer.Picker picker;
    private final java.util.concurrent.atomic.LongAdder retriesRefused = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder tooLargeToReplay = new java.util.concurrent.atomic.LongAdder();

    /** Told of every endpoint that leaves the group, so the runtime can close its connections. */
    private final java.util.function.BiConsumer<String, Endpoint> removals;

    EndpointGroup(Upstream upstream, Ticker ticker, Scheduler scheduler,
            java.util.function.BiConsumer<String, Endpoint> removals) {
        this.removals = removals;
        this.name = upstream.name();
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.balancer = upstream.balancer();
        long now = ticker.nanos();
        for (Endpoint endpoint : upstream.endpoints()) {
            states.add(new EndpointState(endpoint, EndpointState.Status.SERVING, now, 0));
        }
        publish();
    }

    /** The upstream's name. */
    public String name() {
        return name;
    }

    /** The endpoints and their states now. */
    public EndpointSnapshot snapshot() {
        return snapshot;
    }

    /** The picker made from the current snapshot. */
    Balancer.Picker picker() {
        return picker;
    }

    /** Retries the retry rule asked for that the upstream's retry budget refused, since the group was made. */
    public long retriesRefusedByBudget() {
        return retriesRefused.sum();
    }

    /** Request bodies larger than the upstream's replay buffer (so not retryable once sent). */
    public long bodiesTooLargeToReplay() {
        return tooLargeToReplay.sum();
    }

    void countRetryRefused() {
        retriesRefused.increment();
    }

    void countTooLargeToReplay() {
        tooLargeToReplay.increment();
    }

    /** Tells {@code subscriber} of every snapshot from now on, starting with the current one. */
    public void subscribe(Consumer<EndpointSnapshot> subscriber) {
        requireNonNull(subscriber, "subscriber");
        subscribers.add(subscriber);
        subscriber.accept(snapshot);
    }

    /** Adds an endpoint, {@link EndpointState.Status#STARTING} from now; fails if its address is taken. */
    public synchronized void add(Endpoint endpoint) {
        requireNonNull(endpoint, "endpoint");
        if (indexOf(endpoint.address()) >= 0) {
            throw new IllegalArgumentException("upstream '" + name + "': endpoint " + endpoint.address()
                    + " is already in the group");
        }
        states.add(new EndpointState(endpoint, EndpointState.Status.STARTING, ticker.nanos(), 0));
        logger.info("upstream '{}': endpoint {} added", name, endpoint);
        publish();
    }

    /** Removes an endpoint at once (requests in flight to it finish); false if there was none. */
    public synchronized boolean remove(String address) {
        int index = indexOf(address);
        if (index < 0) {
            return false;
        }
        Endpoint removed = states.remove(index).endpoint();
        logger.info("upstream '{}': endpoint {} removed", name, address);
        publish();
        removals.accept(name, removed);
        return true;
    }

    /** Gives an endpoint a new weight, keeping its state. */
    public synchronized void reweight(String address, int weight) {
        EndpointState state = require(address);
        replace(new EndpointState(state.endpoint().withWeight(weight), state.status(), state.sinceNanos(),
                state.untilNanos()));
    }

    /** Sends no new requests to an endpoint; those in flight finish. {@link #restore} undoes it. */
    public synchronized void drain(String address) {
        EndpointState state = require(address);
        replace(new EndpointState(state.endpoint(), EndpointState.Status.DRAINING, ticker.nanos(), 0));
        logger.info("upstream '{}': endpoint {} draining", name, address);
    }

    /**
     * Drains an endpoint, then removes it once {@code deadline} has passed, unless it was restored meanwhile:
     * requests still in flight to it then fail, and the runtime closes its connections.
     */
    public synchronized void drain(String address, Duration deadline) {
        requireNonNull(deadline, "deadline");
        if (deadline.isNegative()) {
            throw new IllegalArgumentException("deadline: " + deadline + " (expected: >= 0)");
        }
        drain(address);
        long since = require(address).sinceNanos();
        scheduler.schedule(deadline, () -> removeIfDrainingSince(address, since));
    }

    private synchronized void removeIfDrainingSince(String address, long since) {
        int index = indexOf(address);
        if (index >= 0 && states.get(index).status() == EndpointState.Status.DRAINING
                && states.get(index).sinceNanos() == since) {
            remove(address);
        }
    }

    /**
     * Takes an endpoint out of service for {@code duration}, after which it is back as
     * {@link EndpointState.Status#STARTING}; a zero duration ejects it until {@link #restore}.
     */
    public synchronized void eject(String address, Duration duration) {
        requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
        }
        EndpointState state = require(address);
        long now = ticker.nanos();
        long until = duration.isZero() ? Long.MAX_VALUE : now + duration.toNanos();
        replace(new EndpointState(state.endpoint(), EndpointState.Status.EJECTED, now, until));
        logger.warn("upstream '{}': endpoint {} ejected{}", name, address,
                duration.isZero() ? "" : " for " + duration.toMillis() + " ms");
        if (!duration.isZero()) {
            scheduler.schedule(duration, () -> restoreIfStill(address, until));
        }
    }

    /** Brings a drained or ejected endpoint back, {@link EndpointState.Status#STARTING} from now. */
    public synchronized void restore(String address) {
        EndpointState state = require(address);
        if (state.isServing()) {
            return;
        }
        replace(new EndpointState(state.endpoint(), EndpointState.Status.STARTING, ticker.nanos(), 0));
        logger.info("upstream '{}': endpoint {} restored", name, address);
    }

    /** Marks a starting endpoint as fully serving (a balancer's slow start ended). */
    public synchronized void serving(String address) {
        EndpointState state = require(address);
        if (state.status() == EndpointState.Status.STARTING) {
            replace(new EndpointState(state.endpoint(), EndpointState.Status.SERVING, state.sinceNanos(), 0));
        }
    }

    private synchronized void restoreIfStill(String address, long until) {
        int index = indexOf(address);
        if (index >= 0 && states.get(index).status() == EndpointState.Status.EJECTED
                && states.get(index).untilNanos() == until) {
            restore(address);
        }
    }

    /**
     * Takes a new configuration of the upstream: endpoints it no longer lists go, new ones come as
     * serving, kept ones take the new weight, zone and priority with their state.
     */
    synchronized void reconcile(Upstream upstream) {
        List<EndpointState> next = new ArrayList<>();
        long now = ticker.nanos();
        for (Endpoint endpoint : upstream.endpoints()) {
            int index = indexOf(endpoint.address());
            if (index < 0) {
                next.add(new EndpointState(endpoint, EndpointState.Status.SERVING, now, 0));
            } else {
                EndpointState old = states.get(index);
                next.add(new EndpointState(endpoint, old.status(), old.sinceNanos(), old.untilNanos()));
            }
        }
        boolean changed = !next.equals(states) || balancer != upstream.balancer();
        List<Endpoint> gone = new ArrayList<>();
        for (EndpointState old : states) {
            if (upstream.endpoints().stream().noneMatch(e -> e.address().equals(old.address()))) {
                gone.add(old.endpoint());
            }
        }
        states.clear();
        states.addAll(next);
        balancer = upstream.balancer();
        if (changed) {
            publish();
        }
        for (Endpoint endpoint : gone) {
            removals.accept(name, endpoint);
        }
    }

    private EndpointState require(String address) {
        requireNonNull(address, "address");
        int index = indexOf(address);
        if (index < 0) {
            throw new IllegalArgumentException("upstream '" + name + "': no endpoint " + address);
        }
        return states.get(index);
    }

    private void replace(EndpointState state) {
        states.set(indexOf(state.address()), state);
        publish();
    }

    private int indexOf(String address) {
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).address().equals(address)) {
                return i;
            }
        }
        return -1;
    }

    private void publish() {
        EndpointSnapshot next = new EndpointSnapshot(name, ++version, states);
        Balancer.Picker made = balancer.newPicker(next);
        snapshot = next;
        picker = made;
        for (Consumer<EndpointSnapshot> subscriber : subscribers) {
            try {
                subscriber.accept(next);
            } catch (RuntimeException e) {
                logger.warn("upstream '{}': a snapshot subscriber failed", name, e);
            }
        }
    }

    @Override
    public String toString() {
        return "EndpointGroup[" + name + " " + snapshot.all() + "]";
    }
}
