package io.edgekit.core;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge's live endpoint groups, one per upstream name, kept across route swaps: a swap that still
 * names an upstream keeps its group (endpoint states and picker state included) and reconciles it with
 * the new configuration. Thread-safe.
 */
final class EndpointGroups {
    private final Map<String, EndpointGroup> groups = new ConcurrentHashMap<>();
    /** The configuration each group was last reconciled with, by identity. */
    private final Map<String, Upstream> configured = new ConcurrentHashMap<>();
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final java.util.List<java.util.function.BiConsumer<String, Endpoint>> removalListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private final ExchangeListener.Factory listeners;

    EndpointGroups(Ticker ticker, Scheduler scheduler, ExchangeListener.Factory listeners) {
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.listeners = listeners;
    }

    /** The group of {@code upstream}'s name, made or reconciled with this configuration. */
    synchronized EndpointGroup of(Upstream upstream) {
        EndpointGroup group = groups.get(upstream.name());
        if (group == null) {
            group = new EndpointGroup(upstream, ticker, scheduler, this::removed);
            group.subscribe(listeners::endpointsChanged);
            groups.put(upstream.name(), group);
        } else if (configured.get(upstream.name()) != upstream) {
            group.reconcile(upstream);
        }
        configured.put(upstream.name(), upstream);
        return group;
    }

    /** Tells {@code listener} of every endpoint that leaves any group, now or later. */
    void onRemoved(java.util.function.BiConsumer<String, Endpoint> listener) {
        removalListeners.add(listener);
    }

    private void removed(String upstream, Endpoint endpoint) {
        for (java.util.function.BiConsumer<String, Endpoint> listener : removalListeners) {
            listener.accept(upstream, endpoint);
        }
    }

    /** Drops the groups of upstreams no route names any more. */
    synchronized void retain(Set<String> names) {
        for (Map.Entry<String, EndpointGroup> entry : Map.copyOf(groups).entrySet()) {
            if (!names.contains(entry.getKey())) {
                groups.remove(entry.getKey());
                for (EndpointState state : entry.getValue().snapshot().all()) {
                    removed(entry.getKey(), state.endpoint());
                }
            }
        }
        configured.keySet().retainAll(names);
    }

    Optional<EndpointGroup> get(String name) {
        return Optional.ofNullable(groups.get(name));
    }

    Map<String, EndpointGroup> all() {
        return Map.copyOf(groups);
    }

    /** The configuration a group was last reconciled with. */
    Upstream upstream(String name) {
        return configured.get(name);
    }
}
