package io.edgekit.proxy.internal.server;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.StreamConnection;

/** Open connections per client address, bounded. Thread-safe. */
public final class ClientCounts {
    private final int maxPerClient;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> counts = new ConcurrentHashMap<>();

    ClientCounts(int maxPerClient) {
        this.maxPerClient = maxPerClient;
    }

    /** Counts one more connection of {@code client}; null (and nothing counted) when over the limit. */
    AtomicInteger tryAcquire(InetAddress client) {
        AtomicInteger count = counts.computeIfAbsent(client, c -> new AtomicInteger());
        if (count.incrementAndGet() > maxPerClient) {
            release(client, count);
            return null;
        }
        return count;
    }

    void release(InetAddress client, AtomicInteger count) {
        if (count.decrementAndGet() <= 0) {
            counts.remove(client, count);
        }
    }

    /**
     * Runs {@code onClose} when {@code connection} closes, before whatever close listener it had (Undertow's),
     * or at once if it closed already.
     */
    static void onClose(StreamConnection connection, Runnable onClose) {
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable once = () -> {
            if (ran.compareAndSet(false, true)) {
                onClose.run();
            }
        };
        ChannelListener<? super StreamConnection> previous = connection.getCloseListener();
        connection.setCloseListener(closed -> {
            once.run();
            ChannelListeners.invokeChannelListener(closed, previous);
        });
        if (!connection.isOpen()) {
            once.run(); // closed before the listener was in place (its close listener may still be called)
        }
    }
}
