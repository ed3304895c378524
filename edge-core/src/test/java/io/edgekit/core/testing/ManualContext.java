package io.edgekit.core.testing;

import io.edgekit.core.Edge;
import io.edgekit.core.EdgeContext;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.ProbeClient;
import io.edgekit.core.Scheduler;
import io.edgekit.core.Ticker;
import java.util.Optional;

/**
 * What a component or health checker gets when an edge starts, for tests: a {@link ManualClock} as ticker
 * and scheduler, a probe client the test scripts, and the edge's endpoint groups.
 */
public final class ManualContext implements EdgeContext {
    private final ManualClock clock;
    private final ProbeClient probes;
    private final Edge edge;

    /** A context on {@code clock}, probing with {@code probes}, over {@code edge}'s endpoint groups. */
    public ManualContext(ManualClock clock, ProbeClient probes, Edge edge) {
        this.clock = clock;
        this.probes = probes;
        this.edge = edge;
    }

    @Override
    public Ticker ticker() {
        return clock;
    }

    @Override
    public Scheduler scheduler() {
        return clock;
    }

    @Override
    public ProbeClient probes() {
        return probes;
    }

    @Override
    public Optional<EndpointGroup> endpointGroup(String name) {
        return edge.endpointGroup(name);
    }
}
