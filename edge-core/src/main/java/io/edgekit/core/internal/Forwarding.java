package io.edgekit.core.internal;

import io.edgekit.core.ForwardedFields;
import io.edgekit.core.Headers;
import io.edgekit.core.TrustedProxies;
import io.edgekit.core.UnderscoreHeaders;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the request headers that go on from the edge, in one pass over the inbound fields: drops
 * hop-by-hop fields and those {@code Connection} names, replaces forwarding fields and the request id
 * from untrusted peers, appends this hop to {@code X-Forwarded-For} and {@code Forwarded}, and resolves
 * the client address.
 */
public final class Forwarding {
    public static final String REQUEST_ID = "x-request-id";
    /** Headers some servers obey to route or re-method a request: never accepted from a client. */
    public static final Set<String> ROUTING_OVERRIDES = Set.of("x-original-url", "x-rewrite-url",
            "x-override-url", "x-http-method-override", "x-http-method", "x-method-override");

    private Forwarding() {
    }

    /** The result of {@link #prepare}. */
    public record Prepared(Headers headers, InetAddress clientAddress, String requestId, String refusedName) {
    }

    /** {@code name} as the edge compares field names: lower case, and {@code _} read as {@code -}. */
    public static String canonicalName(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The request's fields as the edge forwards them: hop-by-hop ones and forwarding ones from untrusted
     * peers removed, this hop's forwarding fields ({@code fields}) added, and the request id field when
     * {@code requestIdField}. The prepared request id is a trusted proxy's, else one made here when the
     * field is sent, else null (the exchange makes one when something asks for it).
     */
    public static Prepared prepare(Headers inbound, String authority, InetAddress peer, int localPort,
            boolean secure, TrustedProxies trusted, Set<String> stripped, ForwardedFields fields,
            boolean requestIdField, UnderscoreHeaders underscores) {
        String refused = null;
        boolean trustPeer = trusted.contains(peer);
        List<String> connectionTokens = HopByHop.connectionTokens(inbound);
        Headers.Builder out = Headers.builder(inbound.size() + 6);
        String priorFor = null;
        String priorForwarded = null;
        String proto = null;
        String host = null;
        String port = null;
        String requestId = null;
        for (int i = 0; i < inbound.size(); i++) {
            String name = inbound.name(i);
            String value = inbound.value(i);
            if (HopByHop.isHopByHop(name) || HopByHop.isFraming(name) || name.equalsIgnoreCase("host")) {
                continue; // framing is set by the edge; the Host travels as the request's authority
            }
            if (name.indexOf('_') >= 0) {
                if (underscores == UnderscoreHeaders.REFUSE && refused == null) {
                    refused = name;
                }
                String canonical = canonicalName(name);
                // a "_" spelling of a field only the edge may set is never passed on, from any peer
                if (underscores != UnderscoreHeaders.ALLOW || isForwarding(canonical) || canonical.equals(REQUEST_ID)
                        || stripped.contains(canonical)) {
                    continue;
                }
            }
            if (isForwarding(name)) {
                if (trustPeer) {
                    if (name.equalsIgnoreCase("x-forwarded-for")) {
                        priorFor = priorFor == null ? value : priorFor + ", " + value;
                    } else if (name.equalsIgnoreCase("forwarded")) {
                        priorForwarded = priorForwarded == null ? value : priorForwarded + ", " + value;
                    } else if (name.equalsIgnoreCase("x-forwarded-proto") && proto == null) {
                        proto = value;
                    } else if (name.equalsIgnoreCase("x-forwarded-host") && host == null) {
                        host = value;
                    } else if (name.equalsIgnoreCase("x-forwarded-port") && port == null) {
                        port = value;
                    }
                }
                continue;
            }
            if (name.equalsIgnoreCase(REQUEST_ID)) {
                if (trustPeer && requestId == null && RequestIds.isValid(value)) {
                    requestId = value;
                }
                continue;
            }
            if (!connectionTokens.isEmpty() && HopByHop.isListed(connectionTokens, name)) {
                continue;
            }
            if (!stripped.isEmpty() && stripped.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            out.add(name, value);
        }
        InetAddress client = trustPeer ? clientFrom(priorFor, priorForwarded, peer, trusted) : peer;
        Hop hop = Hop.of(peer, secure, authority, localPort);
        out.add("x-forwarded-for", priorFor == null ? hop.peerIp : priorFor + ", " + hop.peerIp);
        if (fields != ForwardedFields.X_FORWARDED_FOR) {
            out.add("x-forwarded-proto", proto != null ? proto : hop.scheme());
            if (host != null || !authority.isEmpty()) {
                out.add("x-forwarded-host", host != null ? host : authority);
            }
            out.add("x-forwarded-port", port != null ? port : hop.port);
        }
        if (fields == ForwardedFields.ALL) {
            out.add("forwarded", priorForwarded == null ? hop.forwarded : priorForwarded + ", " + hop.forwarded);
        }
        if (requestIdField) {
            if (requestId == null) {
                requestId = RequestIds.next();
            }
            out.add(REQUEST_ID, requestId);
        }
        return new Prepared(out.build(), client, requestId, refused);
    }

    /**
     * What this hop adds that depends only on the peer, the listener and the authority. The last one
     * made on a thread is kept: requests in a row nearly always share them (one client's connection, or
     * many connections from one balancer in front), so they are not formatted again for each request.
     */
    private static final class Hop {
        private static final ThreadLocal<Hop[]> LAST = ThreadLocal.withInitial(() -> new Hop[1]);

        final InetAddress peer;
        final boolean secure;
        final String authority;
        final int localPort;
        final String peerIp;
        final String port;
        /** This hop's element of {@code Forwarded}. */
        final String forwarded;

        private Hop(InetAddress peer, boolean secure, String authority, int localPort) {
            this.peer = peer;
            this.secure = secure;
            this.authority = authority;
            this.localPort = localPort;
            this.peerIp = peer.getHostAddress();
            this.port = Integer.toString(localPort);
            StringBuilder element = new StringBuilder(64);
            element.append("for=").append(IpLiterals.forwardedNode(peer)).append(";proto=").append(scheme());
            if (!authority.isEmpty() && HttpTokens.isToken(authority)) {
                element.append(";host=").append(authority);
            } else if (!authority.isEmpty()) {
                element.append(";host=\"").append(authority.replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
            }
            this.forwarded = element.toString();
        }

        static Hop of(InetAddress peer, boolean secure, String authority, int localPort) {
            Hop[] last = LAST.get();
            Hop hop = last[0];
            if (hop == null || hop.secure != secure || hop.localPort != localPort
                    || !(hop.peer == peer || (peer instanceof Inet4Address && peer.equals(hop.peer)))
                    || !hop.authority.equals(authority)) { // IPv6 addresses match by identity: scopes differ
                hop = new Hop(peer, secure, authority, localPort);
                last[0] = hop;
            }
            return hop;
        }

        String scheme() {
            return secure ? "https" : "http";
        }
    }

    private static boolean isForwarding(String name) {
        return name.regionMatches(true, 0, "x-forwarded-", 0, 12) || name.equalsIgnoreCase("forwarded")
                || name.equalsIgnoreCase("x-real-ip");
    }

    /**
     * Walks the forwarded chain from the nearest hop back: the first address that is not a trusted
     * proxy is the client. When every hop is trusted, the farthest one is.
     */
    public static InetAddress clientFrom(String xForwardedFor, String forwarded, InetAddress peer,
            TrustedProxies trusted) {
        String[] hops = xForwardedFor != null ? xForwardedFor.split(",")
                : forwarded != null ? forwardedFors(forwarded) : new String[0];
        InetAddress client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = IpLiterals.parse(stripPort(hops[i].trim()));
            if (hop == null) {
                return client; // garbage in the chain: stop at the last address we could believe
            }
            client = hop;
            if (!trusted.contains(hop)) {
                return hop;
            }
        }
        return client;
    }

    private static String[] forwardedFors(String forwarded) {
        String[] elements = forwarded.split(",");
        String[] fors = new String[elements.length];
        for (int i = 0; i < elements.length; i++) {
            fors[i] = "";
            for (String pair : elements[i].split(";")) {
                String p = pair.trim();
                if (p.regionMatches(true, 0, "for=", 0, 4)) {
                    String v = p.substring(4);
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    fors[i] = v;
                }
            }
        }
        return fors;
    }

    /** {@code 192.0.2.1:4711} to {@code 192.0.2.1}, {@code [2001:db8::1]:4711} to {@code [2001:db8::1]}. */
    private static String stripPort(String node) {
        if (node.startsWith("[")) {
            int close = node.indexOf(']');
            return close < 0 ? node : node.substring(0, close + 1);
        }
        int colon = node.indexOf(':');
        if (colon >= 0 && node.indexOf(':', colon + 1) < 0) {
            return node.substring(0, colon);
        }
        return node;
    }
}
