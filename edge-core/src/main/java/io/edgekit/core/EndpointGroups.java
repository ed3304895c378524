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

    EndpointGroups(Ticker ticker, Scheduler scheduler) {
        this.ticker = ticker;
        this.scheduler = scheduler;
    }

    /** The group of {@code upstream}'s name, made or reconciled with this configuration. */
    synchronized EndpointGroup of(Upstream upstream) {
        EndpointGroup group = groups.get(upstream.name());
        if (group == null) {
            group = new EndpointGroup(upstream, ticker, scheduler);
            groups.put(upstream.name(), group);
        } else if (configured.get(upstream.name()) != upstream) {
            group.reconcile(upstream);
        }
        configured.put(upstream.name(), upstream);
        return group;
    }

    /** Drops the groups of upstreams no route names any more. */
    synchronized void retain(Set<String> names) {
        groups.keySet().retainAll(names);
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
