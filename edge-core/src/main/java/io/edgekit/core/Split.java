package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.internal.Cookies;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A route target that splits requests between upstreams by weight: canaries and version rollouts
 * ({@code v1} 95, {@code v2} 5). Without a sticky key each request is split at random; with one, requests
 * with the same key always go to the same upstream while the weights stay the same (the key is hashed onto
 * the weights), and requests without the key are split at random. Immutable; built with {@link #builder()}.
 */
public final class Split {
    private final List<Upstream> upstreams;
    private final int[] cumulative;
    private final int total;
    private final Key stickyKey;

    private Split(Builder b) {
        this.upstreams = List.copyOf(b.upstreams);
        this.cumulative = new int[b.weights.size()];
        int sum = 0;
        for (int i = 0; i < cumulative.length; i++) {
            sum += b.weights.get(i);
            cumulative[i] = sum;
        }
        this.total = sum;
        this.stickyKey = b.stickyKey;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The upstreams, in the order added. */
    public List<Upstream> upstreams() {
        return upstreams;
    }

    /** The weight of the upstream at {@code index}. */
    public int weight(int index) {
        return cumulative[index] - (index == 0 ? 0 : cumulative[index - 1]);
    }

    public Optional<Key> stickyKey() {
        return Optional.ofNullable(stickyKey);
    }

    /** Which upstream (its index) gets this request. */
    int choose(Exchange exchange, Request request) {
        int point;
        String key = stickyKey == null ? null : stickyKey.of(exchange, request);
        if (key != null) {
            point = Math.floorMod(mix(key.hashCode()), total);
        } else {
            point = ThreadLocalRandom.current().nextInt(total);
        }
        for (int i = 0; i < cumulative.length; i++) {
            if (point < cumulative[i]) {
                return i;
            }
        }
        return cumulative.length - 1;
    }

    /** Spreads a string hash over all bits (MurmurHash3's finaliser). */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("split[");
        for (int i = 0; i < upstreams.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(upstreams.get(i).name()).append(' ').append(weight(i));
        }
        return text.append(stickyKey == null ? "" : ", sticky").append(']').toString();
    }

    /** What keeps a client on one side of a split. Returns null when the request has no key. */
    @FunctionalInterface
    public interface Key {
        String of(Exchange exchange, Request request);

        /** The first value of a request header. */
        static Key header(String name) {
            requireNonNull(name, "name");
            return (exchange, request) -> request.headers().firstOrNull(name);
        }

        /** The value of a request cookie. */
        static Key cookie(String name) {
            requireNonNull(name, "name");
            return (exchange, request) -> {
                for (String field : request.headers().all("cookie")) {
                    long range = Cookies.range(field, name);
                    if (range != Cookies.ABSENT) {
                        return field.substring(Cookies.from(range), Cookies.to(range));
                    }
                }
                return null;
            };
        }

        /** The subject of the identity a policy established (the consumer). */
        static Key consumer() {
            return (exchange, request) -> exchange.identity().map(Identity::subject).orElse(null);
        }
    }

    /** Builds a {@link Split}; {@code to} appends. */
    public static final class Builder {
        private final List<Upstream> upstreams = new ArrayList<>();
        private final List<Integer> weights = new ArrayList<>();
        private Key stickyKey;

        private Builder() {
        }

        /** Sends {@code weight} parts of the requests to {@code upstream}. */
        public Builder to(Upstream upstream, int weight) {
            requireNonNull(upstream, "upstream");
            if (weight < 0 || weight > 1_000_000) {
                throw new IllegalArgumentException("weight: " + weight + " (expected: 0-1000000)");
            }
            for (Upstream other : upstreams) {
                if (other.name().equals(upstream.name())) {
                    throw new IllegalArgumentException("split: upstream '" + upstream.name() + "' added twice");
                }
            }
            upstreams.add(upstream);
            weights.add(weight);
            return this;
        }

        /** Keeps requests with the same key on the same upstream. */
        public Builder stickyBy(Key key) {
            this.stickyKey = requireNonNull(key, "key");
            return this;
        }

        public Split build() {
            int sum = weights.stream().mapToInt(Integer::intValue).sum();
            if (upstreams.isEmpty() || sum == 0) {
                throw new IllegalStateException("split: no upstream with a weight above 0; call to(...) before build()");
            }
            return new Split(this);
        }
    }
}
