package io.edgekit.tls.nativeengine;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * The session-ticket keys of one BoringSSL context: a random key made at start, replaced by a new random key
 * once it is {@code rotation} old. The key before the current one still decrypts (so a ticket issued just
 * before a rotation still resumes, and is renewed under the new key); older keys are forgotten, so no ticket
 * outlives two rotations, and none outlives the session timeout, which BoringSSL checks on every ticket.
 * Rotation is checked when a connection's engine is made, so an idle listener makes no keys.
 */
final class TicketKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final OpenSslSessionContext sessions;
    private final long rotationNanos;
    private volatile long madeAt;
    private OpenSslSessionTicketKey current;

    TicketKeys(OpenSslSessionContext sessions, Duration rotation) {
        this.sessions = sessions;
        this.rotationNanos = rotation.toNanos();
        rotate(System.nanoTime());
    }

    /** Replaces the current key when it is due; cheap otherwise. */
    void rotateIfDue() {
        long now = System.nanoTime();
        if (now - madeAt >= rotationNanos) {
            synchronized (this) {
                if (now - madeAt >= rotationNanos) {
                    rotate(now);
                }
            }
        }
    }

    /** Called by the constructor, then only under this object's lock. */
    private void rotate(long now) {
        OpenSslSessionTicketKey previous = current;
        current = new OpenSslSessionTicketKey(random(OpenSslSessionTicketKey.NAME_SIZE),
                random(OpenSslSessionTicketKey.HMAC_KEY_SIZE), random(OpenSslSessionTicketKey.AES_KEY_SIZE));
        if (previous == null) {
            sessions.setTicketKeys(current);
        } else {
            sessions.setTicketKeys(current, previous);
        }
        madeAt = now;
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
