package io.edgekit.proxy.internal.upstream;

import io.edgekit.core.Endpoint;
import io.edgekit.core.internal.IpLiterals;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.XnioIoThread;

/**
 * Turns an endpoint into a socket address without blocking an IO thread: an IP literal at once, a host
 * name on one of two daemon resolver threads (the JDK caches answers for 30 s, so a name is looked up
 * about once per half minute), the answer handed back on the IO thread that asked.
 */
public final class Resolver {
    /** Receives the address, or why there is none, on the asking IO thread. */
    interface Callback {
        void resolved(InetSocketAddress address);

        void failed(IOException cause);
    }

    private static final ThreadPoolExecutor LOOKUPS = lookups();

    private Resolver() {
    }

    static void resolve(XnioIoThread ioThread, Endpoint endpoint, Callback callback) {
        InetAddress literal = IpLiterals.parse(endpoint.host());
        if (literal != null) {
            callback.resolved(new InetSocketAddress(literal, endpoint.port()));
            return;
        }
        try {
            LOOKUPS.execute(() -> {
                InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
                ioThread.execute(() -> {
                    if (address.isUnresolved()) {
                        callback.failed(new UnknownHostException(endpoint.host()));
                    } else {
                        callback.resolved(address);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            callback.failed(new IOException("too many host name lookups waiting", e));
        }
    }

    /** Two daemon threads, started when needed and ended after 30 s idle; at most 1,024 lookups waiting. */
    private static ThreadPoolExecutor lookups() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(1024), task -> {
                    Thread thread = new Thread(task, "edgekit-resolver-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
