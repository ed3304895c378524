package io.edgekit.balance;

import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Consistent hashing on a ring: each serving endpoint owns {@code virtualNodes x weight} points (hashes of
 * its address and the point's number); a request's key hashes to a point, and the first endpoint point at
 * or after it (wrapping) takes the request. Removing one of N endpoints moves only the keys it owned, about
 * 1/N. A retry walks on along the ring to an endpoint not tried yet. Requests without a key go round robin.
 * See {@link Balancers#ringHash}.
 */
final class RingHashBalancer implements Balancer {
    private final HashKey key;
    private final int virtualNodes;
    private final double loadFactor;

    RingHashBalancer(HashKey key, int virtualNodes) {
        this(key, virtualNodes, 0);
    }

    RingHashBalancer(HashKey key, int virtualNodes, double loadFactor) {
        this.key = key;
        this.virtualNodes = virtualNodes;
        this.loadFactor = loadFactor;
    }

    @Override
    public Picker newPicker(EndpointSnapshot snapshot) {
        return new RingPicker(key, snapshot.serving(), virtualNodes, loadFactor);
    }

    @Override
    public String name() {
        return "ringHash";
    }

    /** The ring: sorted point hashes and, at the same index, the endpoint owning each. Thread-safe. */
    static final class RingPicker extends HashingPicker {
        private final long[] points;
        private final Optional<Endpoint>[] owners;

        @SuppressWarnings("unchecked")
        RingPicker(HashKey key, List<Endpoint> endpoints, int virtualNodes, double loadFactor) {
            super(key, endpoints, loadFactor);
            int total = 0;
            for (Endpoint endpoint : endpoints) {
                total += virtualNodes * endpoint.weight();
            }
            long[][] pairs = new long[total][];
            int at = 0;
            for (int i = 0; i < endpoints.size(); i++) {
                String address = endpoints.get(i).address();
                for (int v = 0; v < virtualNodes * endpoints.get(i).weight(); v++) {
                    pairs[at++] = new long[] {HashKey.hash(address + "#" + v), i};
                }
            }
            Arrays.sort(pairs, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            this.points = new long[total];
            this.owners = new Optional[total];
            for (int p = 0; p < total; p++) {
                points[p] = pairs[p][0];
                owners[p] = options[(int) pairs[p][1]];
            }
        }

        @Override
        Optional<Endpoint>[] places() {
            return owners;
        }

        /** The first point at or after the hash, wrapping. */
        @Override
        int place(long hash) {
            int start = Arrays.binarySearch(points, hash);
            return (start < 0 ? -start - 1 : start) % points.length;
        }
    }
}
