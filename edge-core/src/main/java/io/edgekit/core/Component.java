package io.edgekit.core;

/**
 * Something with background work (a key-set refresh, a client of a shared store): started with the edge's
 * runtime, in the order added, and closed when it stops, in reverse order. Added with
 * {@link Edge.Builder#component}.
 */
public interface Component {

    /** Starts background work; called once, before the first request. */
    void start(EdgeContext context);

    /** Stops background work; called once at shutdown, after requests have drained. */
    default void close() {
    }
}
