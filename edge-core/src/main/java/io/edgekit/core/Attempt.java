package io.edgekit.core;

import java.util.List;

/**
 * One try at sending a request to an upstream: which try it is, and the endpoints already tried for
 * this request (a picker should avoid them when it can).
 */
public final class Attempt {
    private final Exchange exchange;
    private final Request request;
    private final int number;
    private final List<Endpoint> tried;

    public Attempt(Exchange exchange, Request request, int number, List<Endpoint> tried) {
        this.exchange = exchange;
        this.request = request;
        this.number = number;
        this.tried = tried;
    }

    public Exchange exchange() {
        return exchange;
    }

    public Request request() {
        return request;
    }

    /** 1 for the first try. */
    public int number() {
        return number;
    }

    /** Endpoints tried before this attempt, in order. */
    public List<Endpoint> tried() {
        return tried;
    }

    public boolean hasTried(Endpoint endpoint) {
        return tried.contains(endpoint);
    }
}
