package io.edgekit.balance;

import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import java.util.List;
import java.util.Optional;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table of a prime size is filled by
 * letting each serving endpoint, in turn and as many times per round as its weight, take the next free
 * slot of its own permutation of the table (an offset and a skip from two hashes of its address). A
 * request's key picks a slot. Spread is even to within about 1 % at the default table size, and removing
 * one of N endpoints moves about 1/N of the keys. A pick is one array read; a retry takes the next slots
 * until one names an endpoint not tried yet. Requests without a key go round robin. See
 * {@link Balancers#maglev}.
 */
final class MaglevBalancer implements Balancer {
    /** The default table size: a prime well over 100 times the endpoints of a large upstream. */
    static final int DEFAULT_TABLE_SIZE = 65_537;

    private final HashKey key;
    private final int tableSize;
    /** Bounded load: no endpoint takes more than this factor times the mean in flight; 0 for no bound. */
    private final double loadFactor;

    MaglevBalancer(HashKey key, int tableSize) {
        this(key, tableSize, 0);
    }

    MaglevBalancer(HashKey key, int tableSize, double loadFactor) {
        this.key = key;
        this.tableSize = tableSize;
        this.loadFactor = loadFactor;
    }

    @Override
    public Picker newPicker(EndpointSnapshot snapshot) {
        return new MaglevPicker(key, snapshot.serving(), tableSize, loadFactor);
    }

    @Override
    public String name() {
        return "maglev";
    }

    /** The filled lookup table. Thread-safe. */
    static final class MaglevPicker extends HashingPicker {
        private final Optional<Endpoint>[] table;

        @SuppressWarnings("unchecked")
        MaglevPicker(HashKey key, List<Endpoint> endpoints, int size, double loadFactor) {
            super(key, endpoints, loadFactor);
            int n = endpoints.size();
            this.table = new Optional[n == 0 ? 0 : size];
            if (n == 0) {
                return;
            }
            long[] offset = new long[n];
            long[] skip = new long[n];
            long[] position = new long[n];
            for (int i = 0; i < n; i++) {
                String address = endpoints.get(i).address();
                offset[i] = Long.remainderUnsigned(HashKey.hash(address), size);
                skip[i] = Long.remainderUnsigned(HashKey.hash(address + "/skip"), size - 1) + 1;
            }
            int filled = 0;
            while (filled < size) {
                for (int i = 0; i < n && filled < size; i++) {
                    for (int turn = 0; turn < endpoints.get(i).weight() && filled < size; turn++) {
                        int slot;
                        do {
                            slot = (int) ((offset[i] + position[i] * skip[i]) % size);
                            position[i]++;
                        } while (table[slot] != null);
                        table[slot] = options[i];
                        filled++;
                    }
                }
            }
        }

        @Override
        Optional<Endpoint>[] places() {
            return table;
        }

        @Override
        int place(long hash) {
            return (int) Long.remainderUnsigned(hash, table.length);
        }
    }
}
