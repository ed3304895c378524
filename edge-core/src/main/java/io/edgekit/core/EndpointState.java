package io.edgekit.core;

import static java.util.Objects.requireNonNull;

/**
 * One endpoint of an {@link EndpointGroup} and its state: {@link Status#SERVING}, {@link Status#STARTING}
 * (serving, added or restored at {@code sinceNanos}: a balancer may ramp it up), {@link Status#DRAINING}
 * (no new requests; those in flight finish) or {@link Status#EJECTED} (no requests until {@code untilNanos},
 * or until restored when that is {@link Long#MAX_VALUE}). Times are on the edge's ticker.
 */
public record EndpointState(Endpoint endpoint, Status status, long sinceNanos, long untilNanos) {

    /** What an endpoint may be given. */
    public enum Status {
        SERVING, STARTING, DRAINING, EJECTED
    }

    public EndpointState {
        requireNonNull(endpoint, "endpoint");
        requireNonNull(status, "status");
    }

    /** True when new requests may go to the endpoint. */
    public boolean isServing() {
        return status == Status.SERVING || status == Status.STARTING;
    }

    /** The endpoint's identity within its group, {@code host:port}. */
    public String address() {
        return endpoint.address();
    }
}
