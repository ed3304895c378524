package io.edgekit.proxy.internal.io;

import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Header names as Undertow's {@link HttpString}s, made once per spelling: Undertow's own table first,
 * then a bounded cache of the spellings this edge has sent (the edge's own fields and those its
 * upstreams and clients use); past the bound, names are made per use.
 */
public final class HeaderNames {
    private static final int MAX_CACHED = 2048;
    private static final ConcurrentHashMap<String, HttpString> CACHE = new ConcurrentHashMap<>();

    private HeaderNames() {
    }

    public static HttpString of(String name) {
        HttpString cached = CACHE.get(name);
        if (cached != null) {
            return cached;
        }
        HttpString known = Headers.fromCache(name);
        HttpString made = known != null ? known : new HttpString(name);
        if (CACHE.size() < MAX_CACHED) {
            CACHE.putIfAbsent(name, made);
        }
        return made;
    }
}
