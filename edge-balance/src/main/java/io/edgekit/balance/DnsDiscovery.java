package io.edgekit.balance;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.EdgeContext;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.EndpointState;
import io.edgekit.core.HealthChecker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS discovery: a host name re-resolved every interval (at least one second apart), its addresses kept as
 * the upstream's endpoints. An address that appears is added (starting); one that disappears is drained,
 * then removed after the drain time, unless it comes back first; the endpoint that names the host itself is
 * removed once its addresses are known. A failed lookup keeps the last good addresses (logged once per
 * change). Lookups block, so they run on a thread of their own, never on an IO thread or the edge's
 * scheduler. Set as the upstream's health checker ({@code healthChecker}); built with
 * {@link #of(String, int)}. Thread-safe.
 */
public final class DnsDiscovery implements HealthChecker {
    private static final Logger logger = LoggerFactory.getLogger(DnsDiscovery.class);
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    /** Looks a host name up: the outside world's DNS, or a fake in tests. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    private final String host;
    private final int port;
    private final Duration interval;
    private final Duration drainTime;
    private final Resolver resolver;
    private final Executor lookups;

    private DnsDiscovery(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.interval = b.interval;
        this.drainTime = b.drainTime;
        this.resolver = b.resolver;
        this.lookups = b.lookups != null ? b.lookups : Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "edgekit-dns-" + b.host);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Discovers the addresses of {@code host}, each an endpoint on {@code port}. */
    public static Builder of(String host, int port) {
        return new Builder(host, port);
    }

    @Override
    public AutoCloseable start(EndpointGroup group, EdgeContext context) {
        Discovering discovering = new Discovering(group, context);
        discovering.schedule(Duration.ZERO);
        return discovering::stop;
    }

    /** One group's discovery. */
    private final class Discovering {
        private final EndpointGroup group;
        private final EdgeContext context;
        private final AtomicBoolean running = new AtomicBoolean(true);
        /** Addresses (host:port) this discovery added, as IP literals. */
        private final Set<String> discovered = ConcurrentHashMap.newKeySet();
        private volatile boolean failing;

        Discovering(EndpointGroup group, EdgeContext context) {
            this.group = group;
            this.context = context;
        }

        void stop() {
            running.set(false);
        }

        void schedule(Duration delay) {
            if (running.get()) {
                context.scheduler().schedule(delay, () -> lookups.execute(this::lookup));
            }
        }

        private void lookup() {
            if (!running.get()) {
                return;
            }
            try {
                List<InetAddress> answer = resolver.resolve(host);
                if (answer.isEmpty()) {
                    throw new UnknownHostException(host + ": no addresses");
                }
                if (failing) {
                    failing = false;
                    logger.info("upstream '{}': {} resolves again", group.name(), host);
                }
                apply(answer);
            } catch (UnknownHostException | RuntimeException e) {
                if (!failing) {
                    failing = true;
                    logger.warn("upstream '{}': looking up {} failed ({}); keeping the last addresses",
                            group.name(), host, e.getMessage());
                }
            } finally {
                schedule(interval);
            }
        }

        private void apply(List<InetAddress> answer) {
            Set<String> now = new LinkedHashSet<>();
            for (InetAddress address : answer) {
                Endpoint endpoint = Endpoint.of(address.getHostAddress(), port);
                now.add(endpoint.address());
                EndpointState state = group.snapshot().state(endpoint.address()).orElse(null);
                if (state == null) {
                    group.add(endpoint);
                    discovered.add(endpoint.address());
                } else if (state.status() == EndpointState.Status.DRAINING && discovered.contains(endpoint.address())) {
                    group.restore(endpoint.address()); // back in the answer before its drain ended
                }
            }
            String named = Endpoint.of(host, port).address();
            if (!now.contains(named) && group.snapshot().state(named).isPresent()) {
                group.remove(named); // the name's own endpoint: its addresses stand in for it now
            }
            for (String address : new ArrayList<>(discovered)) {
                EndpointState state = group.snapshot().state(address).orElse(null);
                if (state == null) {
                    discovered.remove(address);
                } else if (!now.contains(address) && state.status() != EndpointState.Status.DRAINING) {
                    group.drain(address);
                    context.scheduler().schedule(drainTime, () -> removeIfStillDraining(address));
                }
            }
        }

        private void removeIfStillDraining(String address) {
            EndpointState state = group.snapshot().state(address).orElse(null);
            if (state != null && state.status() == EndpointState.Status.DRAINING && discovered.remove(address)) {
                group.remove(address);
            }
        }
    }

    @Override
    public String toString() {
        return "DnsDiscovery[" + host + ":" + port + " every " + interval.toSeconds() + " s]";
    }

    /** Builds a {@link DnsDiscovery}. Scalar setters overwrite. */
    public static final class Builder {
        private final String host;
        private final int port;
        private Duration interval = Duration.ofSeconds(30);
        private Duration drainTime = Duration.ofSeconds(30);
        private Resolver resolver = host -> List.of(InetAddress.getAllByName(host));
        private Executor lookups;

        private Builder(String host, int port) {
            Endpoint.of(host, port); // the same checks as any endpoint
            this.host = host;
            this.port = port;
        }

        /** How often the name is looked up again (default 30 s, at least 1 s). */
        public Builder interval(Duration interval) {
            requireNonNull(interval, "interval");
            if (interval.compareTo(MIN_INTERVAL) < 0) {
                throw new IllegalArgumentException("interval: " + interval + " (expected: >= 1 s)");
            }
            this.interval = interval;
            return this;
        }

        /** How long an address gone from the answer drains before it is removed (default 30 s). */
        public Builder drainTime(Duration drainTime) {
            requireNonNull(drainTime, "drainTime");
            if (drainTime.isNegative()) {
                throw new IllegalArgumentException("drainTime: " + drainTime + " (expected: >= 0)");
            }
            this.drainTime = drainTime;
            return this;
        }

        /** Another resolver than the JVM's (a DNS client, or a fake in tests). */
        public Builder resolver(Resolver resolver) {
            this.resolver = requireNonNull(resolver, "resolver");
            return this;
        }

        /** Where lookups run (default: a daemon thread of this discovery's own). */
        public Builder lookupExecutor(Executor executor) {
            this.lookups = requireNonNull(executor, "executor");
            return this;
        }

        public DnsDiscovery build() {
            return new DnsDiscovery(this);
        }
    }
}
