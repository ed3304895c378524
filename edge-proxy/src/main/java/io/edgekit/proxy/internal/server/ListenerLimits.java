package io.edgekit.proxy.internal.server;

import java.util.List;
import java.util.Locale;

/**
 * Limits the edge checks on each request head itself, so each is answered with its own status and a
 * problem body: 414 for a long target, 431 for too many or too large header fields, 421 for a Host the
 * listener does not serve. Undertow's own (higher) limits stay as a backstop that closes the connection.
 *
 * @param allowedHosts host names served (exact or {@code *.suffix}), lower-case; empty for any
 */
public record ListenerLimits(int maxUrlLength, int maxHeaderBytes, int maxHeaders, List<String> allowedHosts) {
    public static final ListenerLimits DEFAULT = new ListenerLimits(8192, 64 * 1024, 100, List.of());

    public ListenerLimits {
        allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    boolean allowsHost(String host) {
        if (allowedHosts.isEmpty()) {
            return true;
        }
        for (String allowed : allowedHosts) {
            if (allowed.startsWith("*.") ? host.length() > allowed.length() - 1
                    && host.endsWith(allowed.substring(1)) : allowed.equals(host)) {
                return true;
            }
        }
        return false;
    }
}
