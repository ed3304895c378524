package io.edgekit.gateway.auth;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where API keys are looked up, by the SHA-256 of the key: a store never holds or sees a key itself. The
 * in-memory {@link InMemoryApiKeys} is the default; a store backed by a database or a shared cache
 * implements this. Lookups must not block the calling thread: return a stage that completes later.
 */
public interface ApiKeyStore {
    /** A key known to the store: its id (safe to log), and its consumer. */
    record Entry(String keyId, Consumer consumer) {
    }

    /** The entry of the key whose SHA-256 is {@code sha256}, if it is active. */
    CompletionStage<Optional<Entry>> find(byte[] sha256);
}
