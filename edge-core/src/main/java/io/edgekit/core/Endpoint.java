package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One backend address of an upstream, with its weight, its zone ({@code ""} when not set), its priority
 * (0 first; higher levels are backups) and free-form metadata. Endpoints are values: state and counters are
 * keyed by the upstream's name and {@link #address()}, so they survive configuration swaps.
 */
public record Endpoint(String host, int port, int weight, String zone, int priority, Map<String, String> metadata) {
    public static final int MAX_WEIGHT = 1000;

    public Endpoint(String host, int port, int weight) {
        this(host, port, weight, "", 0, Map.of());
    }

    public Endpoint {
        requireNonNull(zone, "zone");
        metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
        if (priority < 0) {
            throw new IllegalArgumentException("priority: " + priority + " (expected: >= 0)");
        }
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
        return new Endpoint(host, port, weight, zone, priority, metadata);
    }

    public Endpoint withZone(String zone) {
        return new Endpoint(host, port, weight, zone, priority, metadata);
    }

    public Endpoint withPriority(int priority) {
        return new Endpoint(host, port, weight, zone, priority, metadata);
    }

    public Endpoint withMetadata(Map<String, String> metadata) {
        return new Endpoint(host, port, weight, zone, priority, metadata);
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
