package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One try at sending a request to an upstream: which try it is and of what kind, the endpoints already
 * tried for this request (a picker should avoid them when it can), and once picked, the endpoint and the
 * request as it goes out. A {@link Balancer.Picker} sees the attempt before its endpoint is chosen; the
 * {@link Transport} receives it after, and keeps its own per-attempt state in the attempt's attributes.
 *
 * <p>Not thread-safe: an attempt is made, picked and sent on the exchange's thread.
 */
public final class Attempt {
    /** Why an attempt was made. */
    public enum Kind {
        /** The exchange's first try. */
        FIRST,
        /** A try after an earlier one failed, as the retry rule decided. */
        RETRY,
        /** A try in parallel with one that has not answered yet; the first response wins. */
        HEDGE,
        /** A copy of the request whose answer is read and dropped. */
        MIRROR
    }

    private final Exchange exchange;
    private final Request request;
    private final int number;
    private final List<Endpoint> tried;
    private final Kind kind;
    private final Upstream upstream;
    private final Timeouts timeouts;
    private EndpointGroup group;
    private Response response;
    private Endpoint endpoint;
    private Request outbound;
    private long startNanos;
    private Object[] attrs;

    /** An attempt for tests of pickers: a first try, no upstream settings. */
    public Attempt(Exchange exchange, Request request, int number, List<Endpoint> tried) {
        this(exchange, request, number, tried, number == 1 ? Kind.FIRST : Kind.RETRY, null, Timeouts.DEFAULT);
    }

    Attempt(Exchange exchange, Request request, int number, List<Endpoint> tried, Kind kind, Upstream upstream,
            Timeouts timeouts) {
        this.exchange = requireNonNull(exchange, "exchange");
        this.request = requireNonNull(request, "request");
        this.number = number;
        this.tried = tried;
        this.kind = kind;
        this.upstream = upstream;
        this.timeouts = timeouts;
    }

    public Exchange exchange() {
        return exchange;
    }

    /** The request as the filters passed it on (before the route's path and host rewrites). */
    public Request request() {
        return request;
    }

    /** 1 for the first try. */
    public int number() {
        return number;
    }

    public Kind kind() {
        return kind;
    }

    /** Endpoints tried before this attempt, in order. */
    public List<Endpoint> tried() {
        return tried;
    }

    public boolean hasTried(Endpoint endpoint) {
        return tried.contains(endpoint);
    }

    /** The upstream this attempt goes to (null only in attempts made by tests for pickers). */
    public Upstream upstream() {
        return upstream;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    /**
     * The live endpoint group the endpoint was picked from: what passive health checks eject from. Null in
     * attempts made by tests for pickers.
     */
    public EndpointGroup group() {
        return group;
    }

    /** The response head this attempt got, once it got one (a retry rule may read its fields); else null. */
    public Response response() {
        return response;
    }

    void response(Response response) {
        this.response = response;
    }

    /** The endpoint picked; null before the pick. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** The request as it goes out to {@link #endpoint()} (path and host rewritten); null before the pick. */
    public Request outbound() {
        return outbound;
    }

    /** When the attempt was sent, in the exchange's ticker nanoseconds; 0 before. */
    public long startNanos() {
        return startNanos;
    }

    /** True when the request body can be sent again (no body, or one held in memory). */
    public boolean isReplayable() {
        Body body = request.body();
        return body.isEmpty() || body instanceof io.edgekit.core.internal.BytesBody;
    }

    void group(EndpointGroup group) {
        this.group = group;
    }

    void picked(Endpoint endpoint, Request outbound, long startNanos) {
        this.endpoint = endpoint;
        this.outbound = outbound;
        this.startNanos = startNanos;
    }

    /** The transport's own state for this attempt, under {@code attr}; null if none. */
    @SuppressWarnings("unchecked")
    public <T> T getOrNull(Attr<T> attr) {
        if (attrs != null) {
            for (int i = 0; i < attrs.length; i += 2) {
                if (attrs[i] == attr) {
                    return (T) attrs[i + 1];
                }
            }
        }
        return null;
    }

    /** Keeps transport state with the attempt (a connection, a call in progress). */
    public <T> void put(Attr<T> attr, T value) {
        requireNonNull(attr, "attr");
        if (attrs == null) {
            attrs = new Object[] {attr, value};
            return;
        }
        for (int i = 0; i < attrs.length; i += 2) {
            if (attrs[i] == attr) {
                attrs[i + 1] = value;
                return;
            }
        }
        Object[] grown = java.util.Arrays.copyOf(attrs, attrs.length + 2);
        grown[attrs.length] = attr;
        grown[attrs.length + 1] = value;
        attrs = grown;
    }

    @Override
    public String toString() {
        return "Attempt[" + kind + " #" + number + (endpoint == null ? "" : " to " + endpoint) + "]";
    }
}
