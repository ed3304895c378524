package io.edgekit.balance;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.EdgeContext;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointGroup;
import io.edgekit.core.EndpointState;
import io.edgekit.core.HealthChecker;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Upstream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: every interval (with jitter, so the edge's probes do not arrive in step) each
 * endpoint of the upstream gets an HTTP request to a path through the runtime's probe client, never on a
 * blocked thread. A probe passes when it answers in time with an expected status (and, when asked, a body
 * containing a given text). After {@code fall} failed probes in a row a serving endpoint is ejected; after
 * {@code rise} passed probes in a row an endpoint this check ejected is restored (starting, so a balancer
 * with slow start ramps it up). Endpoints drained by an operator or ejected by passive checks are probed
 * but never restored by this check. State is kept per endpoint address, so it survives route swaps.
 * Built with {@link HealthChecks#http(String)}; one check may serve several upstreams. Thread-safe.
 */
public final class ActiveHealthCheck implements HealthChecker {
    private static final Logger logger = LoggerFactory.getLogger(ActiveHealthCheck.class);

    private final String path;
    private final Duration interval;
    private final double jitter;
    private final Duration timeout;
    private final Set<Integer> expectedStatuses;
    private final String bodyContains;
    private final int rise;
    private final int fall;

    private ActiveHealthCheck(Builder b) {
        this.path = b.path;
        this.interval = b.interval;
        this.jitter = b.jitter;
        this.timeout = b.timeout;
        this.expectedStatuses = b.expectedStatuses;
        this.bodyContains = b.bodyContains;
        this.rise = b.rise;
        this.fall = b.fall;
    }

    static Builder builder(String path) {
        return new Builder(path);
    }

    public String path() {
        return path;
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    public int rise() {
        return rise;
    }

    public int fall() {
        return fall;
    }

    @Override
    public AutoCloseable start(EndpointGroup group, EdgeContext context) {
        Checking checking = new Checking(group, context);
        checking.scheduleNext(Duration.ZERO);
        return checking::stop;
    }

    /** One group's checking: its rounds, and the consecutive results per endpoint address. */
    private final class Checking {
        private final EndpointGroup group;
        private final EdgeContext context;
        private final Upstream probeSettings;
        private final AtomicBoolean running = new AtomicBoolean(true);
        /** Consecutive passes (positive) or failures (negative) per address. */
        private final Map<String, Integer> streaks = new ConcurrentHashMap<>();
        /** Addresses this check ejected, and only those, it may restore. */
        private final Set<String> ejectedHere = ConcurrentHashMap.newKeySet();

        Checking(EndpointGroup group, EdgeContext context) {
            this.group = group;
            this.context = context;
            this.probeSettings = Upstream.named(group.name()).endpoint("127.0.0.1", 1).keepAlive(Duration.ZERO)
                    .resendOnClosedConnection(false).build();
        }

        void stop() {
            running.set(false);
        }

        void scheduleNext(Duration delay) {
            if (running.get()) {
                context.scheduler().schedule(delay, this::round);
            }
        }

        private void round() {
            if (!running.get()) {
                return;
            }
            for (EndpointState state : group.snapshot().all()) {
                probe(state.endpoint());
            }
            long spread = (long) (interval.toNanos() * jitter);
            long next = interval.toNanos()
                    + (spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(-spread, spread + 1));
            scheduleNext(Duration.ofNanos(Math.max(1, next)));
        }

        private void probe(Endpoint endpoint) {
            Request request = Request.get(path).withHeader("user-agent", "edgekit-health-check");
            context.probes().probe(probeSettings, endpoint, request, timeout).whenComplete((response, error) -> {
                if (running.get()) {
                    record(endpoint.address(), error == null && passes(response),
                            error != null ? describe(error) : "status " + response.status());
                }
            });
        }

        private String describe(Throwable error) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        }

        private boolean passes(Response response) {
            if (!expectedStatuses.contains(response.status())) {
                return false;
            }
            if (bodyContains == null) {
                return true;
            }
            byte[] body = response.body().aggregate(64 * 1024).toCompletableFuture().getNow(null);
            return body != null && new String(body, StandardCharsets.UTF_8).contains(bodyContains);
        }

        private void record(String address, boolean passed, String what) {
            int streak = streaks.merge(address, passed ? 1 : -1,
                    (old, step) -> step > 0 ? Math.max(old, 0) + 1 : Math.min(old, 0) - 1);
            EndpointState state = group.snapshot().state(address).orElse(null);
            if (state == null) {
                streaks.remove(address);
                ejectedHere.remove(address);
                return;
            }
            if (!passed && streak <= -fall && state.isServing()) {
                logger.warn("upstream '{}': endpoint {} failed {} health checks in a row ({}), ejecting",
                        group.name(), address, -streak, what);
                ejectedHere.add(address);
                group.eject(address, Duration.ZERO);
            } else if (passed && streak >= rise && state.status() == EndpointState.Status.EJECTED
                    && ejectedHere.remove(address)) {
                logger.info("upstream '{}': endpoint {} passed {} health checks in a row, restoring",
                        group.name(), address, streak);
                group.restore(address);
            }
        }
    }

    @Override
    public String toString() {
        return "ActiveHealthCheck[GET " + path + " every " + interval.toMillis() + " ms, rise " + rise + ", fall "
                + fall + "]";
    }

    /** Builds an {@link ActiveHealthCheck}. Scalar setters overwrite. */
    public static final class Builder {
        private final String path;
        private Duration interval = Duration.ofSeconds(5);
        private double jitter = 0.1;
        private Duration timeout = Duration.ofSeconds(2);
        private Set<Integer> expectedStatuses = Set.of(200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
                300, 301, 302, 303, 304, 305, 307, 308);
        private String bodyContains;
        private int rise = 2;
        private int fall = 3;

        private Builder(String path) {
            requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path: \"" + path
                        + "\" (expected: an origin-form path such as /health)");
            }
            Request.get(path); // the same checks as any request target
            this.path = path;
        }

        /** How often each endpoint is probed (default 5 s). */
        public Builder interval(Duration interval) {
            this.interval = positive("interval", interval);
            return this;
        }

        /** How far each interval varies at random, as a fraction of it (default 0.1, up to 0.5). */
        public Builder jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 0.5)) {
                throw new IllegalArgumentException("jitter: " + fraction + " (expected: 0-0.5)");
            }
            this.jitter = fraction;
            return this;
        }

        /** How long a probe may take, connecting included (default 2 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        /** The statuses that pass (default 2xx and 3xx). */
        public Builder expectedStatuses(Integer... statuses) {
            if (statuses.length == 0) {
                throw new IllegalArgumentException("expectedStatuses: none (expected: at least one status)");
            }
            for (int status : statuses) {
                if (status < 100 || status > 599) {
                    throw new IllegalArgumentException("expectedStatuses: " + status + " (expected: 100-599)");
                }
            }
            this.expectedStatuses = Set.of(statuses);
            return this;
        }

        /** A text the probe's body must contain to pass (read up to 64 KiB). */
        public Builder bodyContains(String text) {
            requireNonNull(text, "text");
            if (text.isEmpty()) {
                throw new IllegalArgumentException("bodyContains: \"\" (expected: a text)");
            }
            this.bodyContains = text;
            return this;
        }

        /** Passed probes in a row that restore an endpoint this check ejected (default 2). */
        public Builder rise(int rise) {
            this.rise = atLeastOne("rise", rise);
            return this;
        }

        /** Failed probes in a row that eject a serving endpoint (default 3). */
        public Builder fall(int fall) {
            this.fall = atLeastOne("fall", fall);
            return this;
        }

        public ActiveHealthCheck build() {
            if (timeout.compareTo(interval) > 0) {
                throw new IllegalStateException("health check " + path + ": timeout " + timeout.toMillis()
                        + " ms is longer than the interval " + interval.toMillis() + " ms");
            }
            return new ActiveHealthCheck(this);
        }

        private static Duration positive(String name, Duration value) {
            requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }

        private static int atLeastOne(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
            }
            return value;
        }
    }
}
