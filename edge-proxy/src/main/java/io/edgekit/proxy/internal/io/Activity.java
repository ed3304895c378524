package io.edgekit.proxy.internal.io;

/** Told when bytes move, so idle timeouts measure silence rather than age. */
public interface Activity {
    Activity NONE = () -> { };

    void touch();
}
