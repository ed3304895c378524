package io.edgekit.proxy;

import io.edgekit.core.Filter;
import io.edgekit.core.Headers;
import io.edgekit.core.Response;
import java.util.List;
import java.util.Locale;

/** The reverse-proxy role's built-in filters. */
public final class ProxyFilters {
    /** Response headers that tell a client which software and hosts stand behind the edge. */
    public static final List<String> TOPOLOGY_HEADERS = List.of("server", "x-powered-by", "x-aspnet-version",
            "x-aspnetmvc-version", "x-backend-server", "x-upstream-addr", "x-served-by");

    private ProxyFilters() {
    }

    /** Removes {@link #TOPOLOGY_HEADERS} from every response. */
    public static Filter hideTopology() {
        return Filter.named("hideTopology", removeResponseHeaders(TOPOLOGY_HEADERS));
    }

    /** Removes the named headers from every response. */
    public static Filter removeResponseHeaders(List<String> names) {
        List<String> lower = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        return Filter.named("removeResponseHeaders" + lower, (exchange, request, next) -> next.proceed(request)
                .thenApply(response -> without(response, lower)));
    }

    private static Response without(Response response, List<String> names) {
        Headers headers = response.headers();
        boolean any = false;
        for (String name : names) {
            if (headers.contains(name)) {
                any = true;
                break;
            }
        }
        if (!any) {
            return response;
        }
        Headers.Builder kept = headers.toBuilder();
        for (String name : names) {
            kept.remove(name);
        }
        return response.withHeaders(kept.build());
    }
}
