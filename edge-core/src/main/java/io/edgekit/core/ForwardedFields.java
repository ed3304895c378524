package io.edgekit.core;

/**
 * Which forwarding fields the edge adds to a request for its own hop (see
 * {@link Edge.Builder#forwardedFields}). Whatever the choice, the forwarding fields a client outside the
 * trusted proxies sends are removed, never passed on; the choice only decides what the edge writes.
 */
public enum ForwardedFields {
    /** {@code X-Forwarded-For} alone: the client address, as most proxies in front of a service send. */
    X_FORWARDED_FOR,
    /** {@code X-Forwarded-For}, {@code -Proto}, {@code -Host} and {@code -Port}. */
    X_FORWARDED,
    /** The {@code X-Forwarded-*} fields and {@code Forwarded} (RFC 7239): the default. */
    ALL
}
