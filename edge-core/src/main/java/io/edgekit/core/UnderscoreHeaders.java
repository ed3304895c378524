package io.edgekit.core;

/**
 * What the edge does with a request field whose name holds {@code _}. Java (servlet) and PHP origins may
 * read {@code X_Auth_Subject} as {@code X-Auth-Subject}, so a client could pass off such a field as one
 * the edge sets; whatever the choice, a {@code _} spelling of a field only the edge may set (forwarding
 * fields, the request id, edge-only fields, fields a policy sets) is always removed. Envoy calls this
 * {@code headers_with_underscores_action}.
 */
public enum UnderscoreHeaders {
    /** Passed on (the default). */
    ALLOW,
    /** Removed from the request. */
    DROP,
    /** The request is refused with 400 problem+json naming the field. */
    REFUSE
}
