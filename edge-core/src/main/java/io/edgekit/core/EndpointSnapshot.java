package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable view of an upstream's endpoints at one moment: every endpoint with its state, and those
 * that may take new requests. A {@link Balancer} makes a new picker from each snapshot; the engine hands
 * it a new one whenever an endpoint is added, removed, re-weighted, drained, ejected or restored.
 */
public final class EndpointSnapshot {
    private final String upstream;
    private final long version;
    private final List<EndpointState> all;
    private final List<Endpoint> serving;

    EndpointSnapshot(String upstream, long version, List<EndpointState> all) {
        this(upstream, version, List.copyOf(all), servingOf(all));
    }

    private EndpointSnapshot(String upstream, long version, List<EndpointState> all, List<Endpoint> serving) {
        this.upstream = upstream;
        this.version = version;
        this.all = all;
        this.serving = serving;
    }

    private static List<Endpoint> servingOf(List<EndpointState> all) {
        List<Endpoint> up = new ArrayList<>(all.size());
        for (EndpointState state : all) {
            if (state.isServing()) {
                up.add(state.endpoint());
            }
        }
        return List.copyOf(up);
    }

    /** A snapshot in which every endpoint of {@code endpoints} is serving: for tests and simple balancers. */
    public static EndpointSnapshot of(List<Endpoint> endpoints) {
        requireNonNull(endpoints, "endpoints");
        List<EndpointState> states = new ArrayList<>(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            states.add(new EndpointState(endpoint, EndpointState.Status.SERVING, 0, 0));
        }
        return new EndpointSnapshot("", 0, states);
    }

    /** A snapshot of {@code upstream}'s endpoints in the given states: for tests and balancers that filter. */
    public static EndpointSnapshot of(String upstream, List<EndpointState> states) {
        requireNonNull(upstream, "upstream");
        return new EndpointSnapshot(upstream, 0, List.copyOf(states));
    }

    /**
     * This snapshot with {@code serving} as the endpoints that take new requests (every state unchanged): what
     * a balancer that narrows or widens the choice (zones, priorities, panic) hands to the balancer it wraps.
     */
    public EndpointSnapshot withServing(List<Endpoint> serving) {
        return new EndpointSnapshot(upstream, version, all, List.copyOf(serving));
    }

    /** The upstream's name ({@code ""} for snapshots made by {@link #of}). */
    public String upstream() {
        return upstream;
    }

    /** Increases with every change of the group. */
    public long version() {
        return version;
    }

    /** The state of the endpoint at {@code address} ({@code host:port}), if the upstream has it. */
    public java.util.Optional<EndpointState> state(String address) {
        for (EndpointState state : all) {
            if (state.address().equals(address)) {
                return java.util.Optional.of(state);
            }
        }
        return java.util.Optional.empty();
    }

    /** Every endpoint, in the order added, with its state. */
    public List<EndpointState> all() {
        return all;
    }

    /**
     * The endpoints that may take new requests, in the order added: those serving or starting, unless a
     * balancer narrowed or widened the choice ({@link #withServing}).
     */
    public List<Endpoint> serving() {
        return serving;
    }

    @Override
    public String toString() {
        return "EndpointSnapshot[" + upstream + " v" + version + " " + all + "]";
    }
}
