package io.edgekit.proxy.internal.io;

import io.edgekit.core.Ticker;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioIoThread;

/**
 * The timeouts of one IO thread's upstream calls, checked by one periodic sweep instead of a timer per
 * call: adding and removing a call is a constant-time list operation, with no timer-queue work on the
 * request path. The sweep runs every {@link #TICK_NANOS} while calls are active, so a timeout fires
 * within one tick of its deadline. Touched only from its IO thread.
 */
public final class CallSweeper {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    /** A call with deadlines. */
    public abstract static class Entry {
        Entry previous;
        Entry next;
        boolean listed;

        /** Checks the deadlines; returns false once the entry is done and can leave the list. */
        public abstract boolean check(long now);
    }

    private final XnioIoThread ioThread;
    private final Entry head = new Entry() {
        @Override
        public boolean check(long now) {
            return true;
        }
    };
    private boolean scheduled;

    private final Ticker ticker;

    /** A sweeper on {@code ioThread} that reads deadlines on {@code ticker}, the edge's clock. */
    public CallSweeper(XnioIoThread ioThread, Ticker ticker) {
        this.ioThread = ioThread;
        this.ticker = ticker;
        head.previous = head;
        head.next = head;
    }

    /** The clock the entries' deadlines are read on. */
    public Ticker ticker() {
        return ticker;
    }

    public void add(Entry entry) {
        if (entry.listed) {
            return;
        }
        entry.listed = true;
        entry.previous = head.previous;
        entry.next = head;
        head.previous.next = entry;
        head.previous = entry;
        if (!scheduled) {
            scheduled = true;
            ioThread.executeAfter(this::sweep, TICK_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    public void remove(Entry entry) {
        if (!entry.listed) {
            return;
        }
        entry.listed = false;
        entry.previous.next = entry.next;
        entry.next.previous = entry.previous;
        entry.previous = null;
        entry.next = null;
    }

    private void sweep() {
        scheduled = false;
        long now = ticker.nanos();
        Entry entry = head.next;
        while (entry != head) {
            Entry following = entry.next;
            if (!entry.check(now)) {
                remove(entry);
            }
            entry = following;
        }
        if (head.next != head) {
            scheduled = true;
            ioThread.executeAfter(this::sweep, TICK_NANOS, TimeUnit.NANOSECONDS);
        }
    }
}
