package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.internal.Forwarding;
import io.edgekit.core.internal.IpLiterals;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;

/**
 * For services behind the edge: reads the client's address, scheme, host and port from
 * {@code X-Forwarded-*} or {@code Forwarded} under the same trusted-proxy rules the edge applies, with
 * nothing but the JDK. A peer outside {@code trusted} is the client itself, whatever its headers say.
 *
 * <pre>{@code
 * ForwardedHeaders.Client client = ForwardedHeaders.resolve(TrustedProxies.of("10.0.0.0/8"),
 *         socketPeerAddress, name -> request.getHeaders(name));
 * }</pre>
 */
public final class ForwardedHeaders {
    private ForwardedHeaders() {
    }

    /**
     * What the forwarding headers say about the client.
     *
     * @param address the client's address
     * @param scheme  {@code http} or {@code https}, or the fallback when no trusted proxy said
     * @param host    the host the client addressed, or the fallback
     * @param port    the port the client addressed, or -1 when unknown
     */
    public record Client(InetAddress address, String scheme, String host, int port) {
    }

    /**
     * Resolves the client of a request that arrived from {@code peer}.
     *
     * @param headers every value of a header field by (lower-case) name; an empty list when absent
     */
    public static Client resolve(TrustedProxies trusted, InetAddress peer, Function<String, List<String>> headers) {
        requireNonNull(trusted, "trusted");
        requireNonNull(peer, "peer");
        requireNonNull(headers, "headers");
        return resolve(trusted, peer, headers, "http", null);
    }

    /** As {@link #resolve(TrustedProxies, InetAddress, Function)}, with fallbacks for scheme and host. */
    public static Client resolve(TrustedProxies trusted, InetAddress peer, Function<String, List<String>> headers,
            String fallbackScheme, String fallbackHost) {
        if (!trusted.contains(peer)) {
            return new Client(peer, fallbackScheme, fallbackHost, -1);
        }
        String xff = joined(headers.apply("x-forwarded-for"));
        String forwarded = joined(headers.apply("forwarded"));
        InetAddress client = Forwarding.clientFrom(xff, forwarded, peer, trusted);
        String scheme = first(headers.apply("x-forwarded-proto"));
        String host = first(headers.apply("x-forwarded-host"));
        String port = first(headers.apply("x-forwarded-port"));
        if (forwarded != null && (scheme == null || host == null)) {
            String firstElement = forwarded.split(",")[0];
            for (String pair : firstElement.split(";")) {
                String p = pair.trim();
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = p.substring(0, eq).trim();
                String value = unquote(p.substring(eq + 1).trim());
                if (name.equalsIgnoreCase("proto") && scheme == null) {
                    scheme = value;
                } else if (name.equalsIgnoreCase("host") && host == null) {
                    host = value;
                }
            }
        }
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            scheme = fallbackScheme;
        }
        int portNumber = -1;
        if (port != null) {
            try {
                portNumber = Integer.parseInt(port.trim());
                if (portNumber < 1 || portNumber > 65535) {
                    portNumber = -1;
                }
            } catch (NumberFormatException e) {
                portNumber = -1;
            }
        }
        return new Client(client, scheme.toLowerCase(java.util.Locale.ROOT), host != null ? host : fallbackHost,
                portNumber);
    }

    /** The address of {@code text} if it is an IP literal (no DNS lookup is ever made), else null. */
    public static InetAddress parseAddress(String text) {
        return IpLiterals.parse(text);
    }

    private static String joined(List<String> values) {
        return values == null || values.isEmpty() ? null : String.join(", ", values);
    }

    /** The first element of the first value: the one the first proxy (nearest the client) wrote. */
    private static String first(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        String value = values.get(0);
        int comma = value.indexOf(',');
        String first = (comma < 0 ? value : value.substring(0, comma)).trim();
        return first.isEmpty() ? null : first;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
