package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One backend address of an upstream, with its weight, its zone ({@code ""} when not set), its priority
 * (0 first; higher levels are backups) and free-form metadata. Endpoints are values (equal when every part
 * is; the hash is computed once, for pickers' maps): state and counters are keyed by the upstream's name and
 * {@link #address()}, so they survive configuration swaps. Immutable.
 */
public final class Endpoint {
    public static final int MAX_WEIGHT = 1000;

    private final String host;
    private final int port;
    private final int weight;
    private final String zone;
    private final int priority;
    private final Map<String, String> metadata;
    private final int hash;

    public Endpoint(String host, int port, int weight) {
        this(host, port, weight, "", 0, Map.of());
    }

    public Endpoint(String host, int port, int weight, String zone, int priority, Map<String, String> metadata) {
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
        this.host = host;
        this.port = port;
        this.weight = weight;
        this.zone = zone;
        this.priority = priority;
        this.metadata = metadata;
        this.hash = ((31 * host.hashCode() + port) * 31 + weight) * 31 + zone.hashCode() * 7 + priority
                + metadata.hashCode();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The share of requests, 1 to {@link #MAX_WEIGHT}. */
    public int weight() {
        return weight;
    }

    /** The zone ({@code ""} when not set). */
    public String zone() {
        return zone;
    }

    /** The priority level: 0 first, higher levels are backups. */
    public int priority() {
        return priority;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        return other instanceof Endpoint e && hash == e.hash && port == e.port && weight == e.weight
                && priority == e.priority && host.equals(e.host) && zone.equals(e.zone) && metadata.equals(e.metadata);
    }

    @Override
    public int hashCode() {
        return hash;
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
