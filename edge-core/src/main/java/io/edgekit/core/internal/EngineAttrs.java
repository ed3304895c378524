package io.edgekit.core.internal;

import io.edgekit.core.Attr;
import io.edgekit.core.Timeouts;

/** Attributes the engine sets on an exchange for the runtime to read. */
public final class EngineAttrs {
    /** The request body limit that applies to this exchange, once routed. */
    public static final Attr<Long> MAX_REQUEST_BODY = Attr.named("edgekit.maxRequestBodyBytes");
    /** The timeouts that apply to this exchange, once routed. */
    public static final Attr<Timeouts> TIMEOUTS = Attr.named("edgekit.timeouts");

    /** Why the request cannot be handled (its path cannot be made canonical): answered with 400. */
    public static final Attr<String> REJECTION = Attr.named("edgekit.rejection");

    private EngineAttrs() {
    }
}
