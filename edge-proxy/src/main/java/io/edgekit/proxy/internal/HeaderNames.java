package io.edgekit.proxy.internal;

import io.undertow.util.Headers;
import io.undertow.util.HttpString;

/** Header names as Undertow's {@link HttpString}s: the well-known ones from Undertow's own table. */
final class HeaderNames {
    private HeaderNames() {
    }

    static HttpString of(String name) {
        HttpString known = Headers.fromCache(name);
        return known != null ? known : new HttpString(name);
    }
}
