package io.edgekit.proxy.internal.upstream;

import io.edgekit.core.Attr;
import io.edgekit.proxy.internal.io.Activity;
import io.edgekit.proxy.internal.io.CallSweeper;
import io.edgekit.proxy.internal.io.ChannelPump;
import io.undertow.connector.ByteBufferPool;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * An upgraded connection (WebSocket) spliced to its upstream connection: bytes flow both ways until
 * both sides have closed, either side fails, or nothing moves for the idle timeout. Confined to the IO
 * thread of the client connection, which is also the upstream connection's.
 */
public final class Tunnel extends CallSweeper.Entry implements Activity {
    /** Set on an exchange whose client asked to upgrade: the protocol it asked for. */
    public static final Attr<String> UPGRADE = Attr.named("edgekit.upgrade");

    private static final Logger logger = LoggerFactory.getLogger(Tunnel.class);

    private final StreamConnection client;
    private final StreamConnection upstream;
    private final long idleNanos;
    private final CallSweeper sweeper;
    private long lastActivity;
    private int open = 2;
    private boolean closed;

    private Tunnel(StreamConnection client, StreamConnection upstream, Duration idle, CallSweeper sweeper) {
        this.client = client;
        this.upstream = upstream;
        this.idleNanos = idle.toNanos();
        this.sweeper = sweeper;
        this.lastActivity = sweeper.ticker().nanos();
    }

    public static void start(StreamConnection client, StreamConnection upstream, ByteBufferPool buffers, Duration idle,
            CallSweeper sweeper) {
        Tunnel tunnel = new Tunnel(client, upstream, idle, sweeper);
        if (tunnel.idleNanos > 0) {
            sweeper.add(tunnel);
        }
        tunnel.pump(client, upstream, buffers);
        tunnel.pump(upstream, client, buffers);
    }

    private void pump(StreamConnection from, StreamConnection to, ByteBufferPool buffers) {
        new ChannelPump(from.getSourceChannel(), to.getSinkChannel(), buffers, Long.MAX_VALUE, this,
                new ChannelPump.Callback() {
                    @Override
                    public void completed(long bytes) {
                        // one side said goodbye and its close went through: the tunnel ends with the other
                        if (--open == 0) {
                            close();
                        }
                    }

                    @Override
                    public void failed(Throwable cause, boolean readSide) {
                        logger.debug("tunnel closed: {}", cause.toString());
                        close();
                    }
                }).start();
    }

    @Override
    public void touch() {
        lastActivity = sweeper.ticker().nanos();
    }

    @Override
    public boolean check(long now) {
        if (closed) {
            return false;
        }
        if (now - lastActivity >= idleNanos) {
            logger.debug("tunnel idle for {} ms: closed", idleNanos / 1_000_000);
            close();
            return false;
        }
        return true;
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        sweeper.remove(this);
        IoUtils.safeClose(client);
        IoUtils.safeClose(upstream);
    }
}
