package io.edgekit.gateway.auth;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The keys of one source at one time, by key id. Immutable. */
final class KeySet {
    static final KeySet EMPTY = new KeySet(List.of());

    final List<VerificationKey> keys;
    private final Map<String, VerificationKey> byKid;

    KeySet(List<VerificationKey> keys) {
        this.keys = List.copyOf(keys);
        Map<String, VerificationKey> map = new HashMap<>();
        for (VerificationKey key : keys) {
            if (key.kid != null) {
                map.putIfAbsent(key.kid, key);
            }
        }
        this.byKid = Map.copyOf(map);
    }

    boolean has(String kid) {
        return byKid.containsKey(kid);
    }

    /** The keys a token may be checked with: the one its {@code kid} names, or, with no kid, every key. */
    List<VerificationKey> candidates(String kid) {
        if (kid == null) {
            return keys;
        }
        VerificationKey key = byKid.get(kid);
        return key == null ? List.of() : List.of(key);
    }

    KeySet plus(KeySet other) {
        List<VerificationKey> all = new java.util.ArrayList<>(keys);
        all.addAll(other.keys);
        return new KeySet(all);
    }
}
