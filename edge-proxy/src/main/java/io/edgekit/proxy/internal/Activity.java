package io.edgekit.proxy.internal;

/** Told when bytes move, so idle timeouts measure silence rather than age. */
interface Activity {
    Activity NONE = () -> { };

    void touch();
}
