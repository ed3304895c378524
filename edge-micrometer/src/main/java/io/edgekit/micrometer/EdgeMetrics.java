package io.edgekit.micrometer;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Attempt;
import io.edgekit.core.Completion;
import io.edgekit.core.EndpointSnapshot;
import io.edgekit.core.EndpointState;
import io.edgekit.core.Exchange;
import io.edgekit.core.ExchangeListener;
import io.edgekit.core.Identity;
import io.edgekit.core.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The edge's metrics on the application's own Micrometer {@link MeterRegistry}, fed by the exchange
 * listener ({@code Edge.Builder.listener(metrics)}):
 *
 * <ul>
 *   <li>{@code edgekit.requests} (route, status class), {@code edgekit.request.duration} (route, status
 *   class; percentile histograms off unless asked, SLO buckets as configured), {@code edgekit.bytes.in} and
 *   {@code .out} (route), {@code edgekit.requests.in_flight};</li>
 *   <li>{@code edgekit.upstream.attempts} (upstream, endpoint, kind of attempt, outcome) and
 *   {@code edgekit.upstream.duration} (upstream, endpoint, outcome), {@code edgekit.endpoint.in_flight},
 *   {@code edgekit.endpoint.serving} (1 or 0) and {@code edgekit.endpoint.ejections} (upstream, endpoint);</li>
 *   <li>{@code edgekit.cache} (route, result), {@code edgekit.ratelimit.rejections} (route: its 429s),
 *   {@code edgekit.refusals} (status: what the edge refused before any route),
 *   {@code edgekit.consumer.requests} (consumer, route, status class).</li>
 * </ul>
 *
 * Label values are bounded: route ids and upstream names come from the configuration, a request that matched
 * no route counts under route {@code none}, endpoints are the upstreams', and consumers past
 * {@code maxConsumers} count as {@code other}; no path, client address or request id is ever a label.
 * Meters are made once per label set and found without allocating.
 */
public final class EdgeMetrics implements ExchangeListener.Factory {
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

    private final MeterRegistry registry;
    private final Duration[] slos;
    private final boolean histograms;
    private final double[] percentiles;
    private final int maxConsumers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
    private final Map<String, EndpointMeters> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Counter> consumers = new ConcurrentHashMap<>();
    private final Set<String> knownConsumers = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Counter> refusals = new ConcurrentHashMap<>();

    private EdgeMetrics(Builder b) {
        this.registry = b.registry;
        this.slos = b.slos.toArray(new Duration[0]);
        this.histograms = b.histograms;
        this.percentiles = b.percentiles;
        this.maxConsumers = b.maxConsumers;
        Gauge.builder("edgekit.requests.in_flight", inFlight, AtomicInteger::get)
                .description("requests the edge is handling").register(registry);
    }

    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /** Requests being handled now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Attempts in flight to endpoint {@code address} of upstream {@code upstream}. */
    public int inFlight(String upstream, String address) {
        EndpointMeters meters = endpoints.get(upstream + '|' + address);
        return meters == null ? 0 : meters.inFlight.get();
    }

    private final class RouteMeters {
        final String route;
        final Counter[] requests = new Counter[CLASSES.length];
        final Timer[] durations = new Timer[CLASSES.length];
        final Counter bytesIn;
        final Counter bytesOut;
        final Map<String, Counter> cache = new ConcurrentHashMap<>();
        volatile Counter rejections;

        RouteMeters(String route) {
            this.route = route;
            for (int i = 0; i < CLASSES.length; i++) {
                requests[i] = Counter.builder("edgekit.requests").tag("route", route).tag("status", CLASSES[i])
                        .register(registry);
                Timer.Builder timer = Timer.builder("edgekit.request.duration").tag("route", route)
                        .tag("status", CLASSES[i]).publishPercentileHistogram(histograms);
                if (slos.length > 0) {
                    timer.serviceLevelObjectives(slos);
                }
                if (percentiles.length > 0) {
                    timer.publishPercentiles(percentiles);
                }
                durations[i] = timer.register(registry);
            }
            bytesIn = Counter.builder("edgekit.bytes.in").baseUnit("bytes").tag("route", route).register(registry);
            bytesOut = Counter.builder("edgekit.bytes.out").baseUnit("bytes").tag("route", route).register(registry);
        }

        Counter cache(String result) {
            return cache.computeIfAbsent(result, r -> Counter.builder("edgekit.cache").tag("route", route)
                    .tag("result", r).register(registry));
        }

        Counter rejections() {
            Counter c = rejections;
            if (c == null) {
                c = Counter.builder("edgekit.ratelimit.rejections").tag("route", route).register(registry);
                rejections = c;
            }
            return c;
        }
    }

    private final class EndpointMeters {
        final String upstream;
        final String endpoint;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger serving = new AtomicInteger(1);
        final Counter ejections;
        final Map<String, Counter> attempts = new ConcurrentHashMap<>();
        final Map<Outcome.Kind, Timer> durations = new ConcurrentHashMap<>();
        volatile EndpointState.Status last = EndpointState.Status.SERVING;

        EndpointMeters(String upstream, String endpoint) {
            this.upstream = upstream;
            this.endpoint = endpoint;
            Gauge.builder("edgekit.endpoint.in_flight", inFlight, AtomicInteger::get).tag("upstream", upstream)
                    .tag("endpoint", endpoint).register(registry);
            Gauge.builder("edgekit.endpoint.serving", serving, AtomicInteger::get).tag("upstream", upstream)
                    .tag("endpoint", endpoint).register(registry);
            ejections = Counter.builder("edgekit.endpoint.ejections").tag("upstream", upstream).tag("endpoint", endpoint)
                    .register(registry);
        }

        Counter attempts(Attempt.Kind kind, Outcome.Kind outcome) {
            return attempts.computeIfAbsent(kind.name() + '|' + outcome.name(), k -> Counter
                    .builder("edgekit.upstream.attempts").tag("upstream", upstream).tag("endpoint", endpoint)
                    .tag("kind", kind.name().toLowerCase(Locale.ROOT)).tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }

        Timer duration(Outcome.Kind outcome) {
            return durations.computeIfAbsent(outcome, o -> Timer.builder("edgekit.upstream.duration")
                    .tag("upstream", upstream).tag("endpoint", endpoint).tag("outcome", o.name().toLowerCase(Locale.ROOT))
                    .publishPercentileHistogram(histograms).register(registry));
        }
    }

    private EndpointMeters endpoint(String upstream, String address) {
        String key = upstream + '|' + address;
        EndpointMeters meters = endpoints.get(key);
        return meters != null ? meters : endpoints.computeIfAbsent(key, k -> new EndpointMeters(upstream, address));
    }

    private RouteMeters route(String route) {
        RouteMeters meters = routes.get(route);
        return meters != null ? meters : routes.computeIfAbsent(route, RouteMeters::new);
    }

    private final ExchangeListener listener = new ExchangeListener() {
        @Override
        public void headReceived(Exchange exchange) {
            inFlight.incrementAndGet();
        }

        @Override
        public void attemptStarted(Attempt attempt) {
            if (attempt.endpoint() != null) {
                endpoint(attempt.upstream().name(), attempt.endpoint().address()).inFlight.incrementAndGet();
            }
        }

        @Override
        public void attemptEnded(Attempt attempt, Outcome outcome) {
            if (attempt.endpoint() == null) {
                return;
            }
            EndpointMeters meters = endpoint(attempt.upstream().name(), attempt.endpoint().address());
            meters.inFlight.decrementAndGet();
            meters.attempts(attempt.kind(), outcome.kind()).increment();
            meters.duration(outcome.kind()).record(outcome.latencyNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public void completed(Exchange exchange, Completion completion) {
            inFlight.decrementAndGet();
            int status = completion.status();
            int index = status >= 100 && status < 600 ? status / 100 - 1 : CLASSES.length - 1;
            String routeId = completion.routeId().orElse(null);
            if (routeId == null && status >= 400) {
                refusals.computeIfAbsent(status, s -> Counter.builder("edgekit.refusals").tag("status",
                        Integer.toString(s)).register(registry)).increment();
            }
            RouteMeters meters = route(routeId == null ? "none" : routeId);
            meters.requests[index].increment();
            meters.durations[index].record(completion.totalNanos(), TimeUnit.NANOSECONDS);
            meters.bytesIn.increment(completion.bytesIn());
            meters.bytesOut.increment(completion.bytesOut());
            if (status == 429 && routeId != null) {
                meters.rejections().increment();
            }
            String cache = completion.cacheStatus().orElse(null);
            if (cache != null) {
                meters.cache(cacheResult(cache)).increment();
            }
            Identity identity = completion.identity().orElse(null);
            if (identity != null) {
                consumer(identity.subject(), meters.route, CLASSES[index]).increment();
            }
        }
    };

    private Counter consumer(String subject, String route, String statusClass) {
        String name = knownConsumers.contains(subject) ? subject
                : knownConsumers.size() < maxConsumers && knownConsumers.add(subject) ? subject : "other";
        return consumers.computeIfAbsent(name + '|' + route + '|' + statusClass, k -> Counter
                .builder("edgekit.consumer.requests").tag("consumer", name).tag("route", route)
                .tag("status", statusClass).register(registry));
    }

    /** {@code hit}, {@code stale}, {@code miss} or {@code uncacheable}, from the edge's Cache-Status field. */
    static String cacheResult(String cacheStatus) {
        String value = cacheStatus.toLowerCase(Locale.ROOT);
        if (value.contains("hit")) {
            return value.contains("stale") ? "stale" : "hit";
        }
        if (value.contains("fwd=miss") || value.contains("fwd=stale")) {
            return "miss";
        }
        return "uncacheable";
    }

    @Override
    public ExchangeListener create(Exchange exchange) {
        return listener;
    }

    @Override
    public void endpointsChanged(EndpointSnapshot snapshot) {
        for (EndpointState state : snapshot.all()) {
            EndpointMeters meters = endpoint(snapshot.upstream(), state.address());
            meters.serving.set(state.isServing() ? 1 : 0);
            if (state.status() == EndpointState.Status.EJECTED && meters.last != EndpointState.Status.EJECTED) {
                meters.ejections.increment();
            }
            meters.last = state.status();
        }
    }

    /** Builds an {@link EdgeMetrics}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private final List<Duration> slos = new ArrayList<>();
        private boolean histograms;
        private double[] percentiles = new double[0];
        private int maxConsumers = 100;

        private Builder(MeterRegistry registry) {
            this.registry = requireNonNull(registry, "registry");
        }

        /** Publishes percentile histograms for the timers (off by default: each adds buckets per label set). */
        public Builder percentileHistograms(boolean on) {
            this.histograms = on;
            return this;
        }

        /**
         * Percentiles {@code edgekit.request.duration} computes in process (such as 0.5, 0.9, 0.99: what the
         * admin dashboard shows); none by default.
         */
        public Builder percentiles(double... percentiles) {
            this.percentiles = percentiles.clone();
            return this;
        }

        /** SLO buckets for {@code edgekit.request.duration}, such as 50 ms and 250 ms. */
        public Builder slos(Duration... slos) {
            this.slos.addAll(List.of(slos));
            return this;
        }

        /** How many consumers get a label value of their own before the rest count as {@code other} (100). */
        public Builder maxConsumers(int max) {
            this.maxConsumers = max;
            return this;
        }

        public EdgeMetrics build() {
            return new EdgeMetrics(this);
        }
    }
}
