package io.edgekit.proxy.internal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

public class BufferPoolTest {
    @Test
    void aGivenBackBufferIsHandedOutAgainCleared() {
        BufferPool pool = new BufferPool(1024, true, 4);
        PooledByteBuffer first = pool.allocate();
        ByteBuffer buffer = first.getBuffer();
        assertTrue(buffer.isDirect());
        assertEquals(1024, buffer.capacity());
        buffer.put((byte) 1).flip();
        first.close();
        assertFalse(first.isOpen());
        assertThrows(IllegalStateException.class, first::getBuffer);
        PooledByteBuffer second = pool.allocate();
        assertSame(buffer, second.getBuffer());
        assertEquals(0, second.getBuffer().position());
        assertEquals(1024, second.getBuffer().limit());
    }

    @Test
    void closingTwiceGivesBackOnce() {
        BufferPool pool = new BufferPool(64, false, 4);
        PooledByteBuffer lease = pool.allocate();
        ByteBuffer buffer = lease.getBuffer();
        lease.close();
        lease.close();
        PooledByteBuffer a = pool.allocate();
        PooledByteBuffer b = pool.allocate();
        assertSame(buffer, a.getBuffer());
        assertNotSame(a.getBuffer(), b.getBuffer(), "one buffer is never on loan twice");
    }

    @Test
    void buffersGivenBackOnAnotherThreadAreReused() throws Exception {
        BufferPool pool = new BufferPool(64, true, 64);
        List<PooledByteBuffer> leases = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            leases.add(pool.allocate());
        }
        List<ByteBuffer> lent = leases.stream().map(PooledByteBuffer::getBuffer).toList();
        Thread other = new Thread(() -> leases.forEach(PooledByteBuffer::close));
        other.start();
        other.join();
        // the other thread kept a few and shared the rest: this thread gets shared ones back
        PooledByteBuffer again = pool.allocate();
        assertTrue(lent.stream().anyMatch(b -> b == again.getBuffer()));
    }

    @Test
    void theArrayBackedPoolHandsOutHeapBuffersOfTheSameSize() {
        ByteBufferPool heap = new BufferPool(512, true, 4).getArrayBackedPool();
        assertFalse(heap.isDirect());
        assertEquals(512, heap.getBufferSize());
        assertTrue(heap.allocate().getBuffer().hasArray());
    }

    @Test
    void onLoanCountsWhatIsOutIncludingTheArrayBackedSiblingAndADoubleCloseOnce() {
        BufferPool pool = new BufferPool(64, true, 4);
        PooledByteBuffer a = pool.allocate();
        PooledByteBuffer b = pool.allocate();
        PooledByteBuffer heap = pool.getArrayBackedPool().allocate();
        assertEquals(3, pool.onLoan());
        a.close();
        a.close();
        assertEquals(2, pool.onLoan());
        b.close();
        heap.close();
        assertEquals(0, pool.onLoan());
        List<PooledByteBuffer> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(pool.allocate());
        }
        assertEquals(20, pool.onLoan());
        many.forEach(PooledByteBuffer::close); // past the thread's cache and the shared bound: still counted back
        assertEquals(0, pool.onLoan());
    }
}
