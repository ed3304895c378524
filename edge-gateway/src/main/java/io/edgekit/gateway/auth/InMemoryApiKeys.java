package io.edgekit.gateway.auth;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API keys in memory, held only as SHA-256 hashes. A consumer may have several keys at once, so keys rotate
 * without a failed request: add the new one, hand it out, revoke the old one. Thread-safe; keys can be added
 * and revoked while the edge serves.
 */
public final class InMemoryApiKeys implements ApiKeyStore {
    private final Map<ByteBuffer, Entry> byHash = new ConcurrentHashMap<>();
    private final Map<String, ByteBuffer> byId = new ConcurrentHashMap<>();

    /** Adds {@code key} (kept as its SHA-256 only) under id {@code keyId} for {@code consumer}. */
    public InMemoryApiKeys add(String keyId, String key, Consumer consumer) {
        requireNonNull(keyId, "keyId");
        requireNonNull(consumer, "consumer");
        if (requireNonNull(key, "key").length() < 16) {
            throw new IllegalArgumentException("key " + keyId + ": " + key.length() + " characters (expected: at least 16"
                    + " random characters, such as 32 from a secure random source)");
        }
        return addHashed(keyId, sha256(key), consumer);
    }

    /** Adds a key known only by its SHA-256 (as a key store of hashes hands them over). */
    public InMemoryApiKeys addHashed(String keyId, byte[] sha256, Consumer consumer) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("key " + keyId + ": a SHA-256 has 32 bytes, not " + sha256.length);
        }
        ByteBuffer hash = ByteBuffer.wrap(sha256.clone());
        if (byId.putIfAbsent(keyId, hash) != null) {
            throw new IllegalArgumentException("key id " + keyId + " is taken (expected: one id per key)");
        }
        byHash.put(hash, new Entry(keyId, consumer));
        return this;
    }

    /** Revokes key {@code keyId}: requests with it are refused from now on. True if it was there. */
    public boolean revoke(String keyId) {
        ByteBuffer hash = byId.remove(keyId);
        return hash != null && byHash.remove(hash) != null;
    }

    @Override
    public CompletionStage<Optional<Entry>> find(byte[] sha256) {
        return CompletableFuture.completedFuture(Optional.ofNullable(byHash.get(ByteBuffer.wrap(sha256))));
    }

    /** The SHA-256 of a key, as stores hold it. */
    public static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
