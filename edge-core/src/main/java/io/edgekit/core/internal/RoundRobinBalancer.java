package io.edgekit.core.internal;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Smooth weighted round robin (the sequence NGINX uses), precomputed per snapshot into a schedule so a
 * pick is one atomic increment and an array read: lock-free and allocation-free.
 */
public final class RoundRobinBalancer implements Balancer {
    public static final RoundRobinBalancer INSTANCE = new RoundRobinBalancer();
    /** Longest schedule kept; beyond it weights are scaled down (keeping at least 1 each). */
    static final int MAX_SCHEDULE = 1 << 16;

    private RoundRobinBalancer() {
    }

    @Override
    public Picker newPicker(EndpointSnapshot snapshot) {
        return new SchedulePicker(schedule(snapshot.serving()));
    }

    @Override
    public String name() {
        return "roundRobin";
    }

    static Endpoint[] schedule(List<Endpoint> endpoints) {
        int n = endpoints.size();
        if (n == 0) {
            return new Endpoint[0];
        }
        int[] weights = new int[n];
        int gcd = 0;
        long sum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = endpoints.get(i).weight();
            gcd = gcd(gcd, weights[i]);
        }
        for (int i = 0; i < n; i++) {
            weights[i] /= gcd;
            sum += weights[i];
        }
        if (sum > MAX_SCHEDULE) {
            double scale = (double) MAX_SCHEDULE / sum;
            sum = 0;
            for (int i = 0; i < n; i++) {
                weights[i] = Math.max(1, (int) (weights[i] * scale));
                sum += weights[i];
            }
        }
        Endpoint[] schedule = new Endpoint[(int) sum];
        long[] current = new long[n];
        for (int s = 0; s < schedule.length; s++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= sum;
            schedule[s] = endpoints.get(best);
        }
        return schedule;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    static final class SchedulePicker implements Picker {
        private final Endpoint[] schedule;
        private final Optional<Endpoint>[] options;
        private final AtomicInteger next = new AtomicInteger();

        @SuppressWarnings("unchecked")
        SchedulePicker(Endpoint[] schedule) {
            this.schedule = schedule;
            this.options = new Optional[schedule.length];
            for (int i = 0; i < schedule.length; i++) {
                options[i] = Optional.of(schedule[i]);
            }
        }

        @Override
        public Optional<Endpoint> pick(Attempt attempt) {
            int length = schedule.length;
            if (length == 0) {
                return Optional.empty();
            }
            int start = Math.floorMod(next.getAndIncrement(), length);
            if (attempt.tried().isEmpty()) {
                return options[start];
            }
            for (int i = 0; i < length; i++) {
                int index = (start + i) % length;
                if (!attempt.hasTried(schedule[index])) {
                    return options[index];
                }
            }
            return options[start];
        }
    }
}
