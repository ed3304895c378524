package io.edgekit.proxy.internal.io;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's buffers: a few cached per thread (an IO thread takes and gives back several buffers a
 * request, so this is the path that must cost nothing: no lock, no shared map), the rest in one
 * bounded shared queue, anything beyond that left to the garbage collector.
 */
public final class BufferPool implements ByteBufferPool {
    private static final int PER_THREAD = 8;

    private final int size;
    private final boolean direct;
    private final int maxShared;
    private final ThreadLocal<ArrayDeque<ByteBuffer>> local = ThreadLocal.withInitial(ArrayDeque::new);
    private final ConcurrentLinkedQueue<ByteBuffer> shared = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sharedCount = new AtomicInteger();
    private volatile BufferPool arrayBacked;
    /** Buffers handed out and not yet given back (a striped counter: IO threads do not contend on it). */
    private final LongAdder onLoan = new LongAdder();

    /** A pool of {@code size}-byte buffers, direct or on the heap, keeping at most {@code maxShared} spare in common. */
    public BufferPool(int size, boolean direct, int maxShared) {
        if (size < 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
        }
        this.size = size;
        this.direct = direct;
        this.maxShared = maxShared;
        if (!direct) {
            arrayBacked = this;
        }
    }

    @Override
    public PooledByteBuffer allocate() {
        ByteBuffer buffer = local.get().pollLast();
        if (buffer == null) {
            buffer = shared.poll();
            if (buffer != null) {
                sharedCount.decrementAndGet();
            } else {
                buffer = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
            }
        }
        onLoan.increment();
        return new Lease(buffer);
    }

    /**
     * Buffers handed out and not yet given back, this pool's and its array-backed sibling's. With no
     * connection open and nothing in flight it comes back to zero; a figure that only grows is a leak.
     */
    public long onLoan() {
        BufferPool sibling = arrayBacked;
        return onLoan.sum() + (sibling != null && sibling != this ? sibling.onLoan.sum() : 0);
    }

    private void free(ByteBuffer buffer) {
        onLoan.decrement();
        buffer.clear();
        ArrayDeque<ByteBuffer> mine = local.get();
        if (mine.size() < PER_THREAD) {
            mine.addLast(buffer);
        } else if (sharedCount.incrementAndGet() <= maxShared) {
            shared.offer(buffer);
        } else {
            sharedCount.decrementAndGet(); // enough spares: this one goes to the garbage collector
        }
    }

    @Override
    public ByteBufferPool getArrayBackedPool() {
        BufferPool pool = arrayBacked;
        if (pool == null) {
            synchronized (this) {
                pool = arrayBacked;
                if (pool == null) {
                    pool = new BufferPool(size, false, maxShared);
                    arrayBacked = pool;
                }
            }
        }
        return pool;
    }

    @Override
    public void close() {
        shared.clear();
        sharedCount.set(0);
    }

    @Override
    public int getBufferSize() {
        return size;
    }

    @Override
    public boolean isDirect() {
        return direct;
    }

    private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<Lease, ByteBuffer> BUFFER =
            java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(Lease.class, ByteBuffer.class, "buffer");

    /** One buffer on loan; closing it twice, even from two threads, gives it back once. */
    private final class Lease implements PooledByteBuffer {
        volatile ByteBuffer buffer;

        Lease(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer getBuffer() {
            ByteBuffer b = buffer;
            if (b == null) {
                throw new IllegalStateException("buffer already given back");
            }
            return b;
        }

        @Override
        public void close() {
            ByteBuffer b = BUFFER.getAndSet(this, null);
            if (b != null) {
                free(b);
            }
        }

        @Override
        public boolean isOpen() {
            return buffer != null;
        }

        @Override
        public String toString() {
            return "PooledBuffer[" + (buffer == null ? "closed" : buffer) + "]";
        }
    }
}
