package io.edgekit.core;

import static java.util.Objects.requireNonNull;

/**
 * One backend address of an upstream, with its weight. Endpoints are values: health and counters are
 * keyed by {@link #address()}, so they survive configuration swaps.
 */
public record Endpoint(String host, int port, int weight) {
    public static final int MAX_WEIGHT = 1000;

    public Endpoint {
        requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: \"\" (expected: a host name or IP address)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1-" + MAX_WEIGHT + ")");
        }
    }

    public static Endpoint of(String host, int port) {
        return new Endpoint(host, port, 1);
    }

    /** Parses {@code host:port} or {@code [v6]:port}. */
    public static Endpoint parse(String hostAndPort) {
        requireNonNull(hostAndPort, "hostAndPort");
        int colon = hostAndPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostAndPort.length() - 1) {
            throw new IllegalArgumentException("endpoint: \"" + hostAndPort + "\" (expected: host:port)");
        }
        String host = hostAndPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostAndPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("endpoint: \"" + hostAndPort + "\" (expected: host:port)");
        }
        return of(host, port);
    }

    public Endpoint withWeight(int weight) {
        return new Endpoint(host, port, weight);
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
        return address();
    }
}
