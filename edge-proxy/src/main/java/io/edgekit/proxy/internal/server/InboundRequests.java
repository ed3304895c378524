package io.edgekit.proxy.internal.server;

import io.edgekit.core.Body;
import io.edgekit.core.Headers;
import io.edgekit.core.Problem;
import io.edgekit.core.Request;
import io.edgekit.core.internal.Hosts;
import io.edgekit.proxy.internal.io.Activity;
import io.edgekit.proxy.internal.io.ChannelBody;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;

/**
 * The request side of the listener: what the edge reads from Undertow's exchange (the head's fields in one
 * pass, the body's framing, the protocol switch asked for) and the checks Undertow's parser does not make
 * (line folding, transfer codings, target length, allowed hosts, header size).
 */
final class InboundRequests {
    private final ListenerLimits limits;

    InboundRequests(ListenerLimits limits) {
        this.limits = limits;
    }

    /** {@code websocket} when the client asks to switch to WebSocket (HTTP/1.1 GET), else null. */
    static String upgradeAsked(HttpServerExchange server, InboundHead head) {
        String upgrade = head.upgrade == null ? null : head.upgrade.getFirst();
        String connection = head.connection == null ? null : head.connection.getFirst();
        if (upgrade == null || connection == null || !upgrade.trim().equalsIgnoreCase("websocket")
                || !connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade")
                || !server.getRequestMethod().equalToString("GET")
                || !server.getProtocol().equals(Protocols.HTTP_1_1)) {
            return null;
        }
        return "websocket";
    }

    static HeadScanConduit scannerOf(HttpServerExchange server) {
        if (server.getConnection() instanceof AbstractServerConnection connection
                && connection.getOriginalSourceConduit() instanceof HeadScanConduit scanner) {
            return scanner;
        }
        return null;
    }

    /** The checks on a request head that Undertow's parser does not make: a problem, or null to go on. */
    Problem check(HttpServerExchange server, HeadScanConduit scanner, InboundHead head) {
        if (scanner != null && !scanner.knownVersion()) {
            return new Problem(505, "HTTP Version Not Supported", "only HTTP/1.1, HTTP/1.0 and HTTP/2 are served");
        }
        if (scanner != null && scanner.folded()) {
            return new Problem(400, "Bad Request", "obsolete line folding in the request head");
        }
        HeaderValues transferEncoding = head.transferEncoding;
        if (transferEncoding != null) {
            if (!server.getProtocol().equals(Protocols.HTTP_1_1)) {
                return new Problem(400, "Bad Request", "transfer-encoding needs HTTP/1.1");
            }
            if (transferEncoding.size() != 1 || !transferEncoding.getFirst().trim().equalsIgnoreCase("chunked")) {
                return new Problem(400, "Bad Request", "transfer-encoding other than chunked");
            }
            if (head.contentLength != null) {
                return new Problem(400, "Bad Request", "both content-length and transfer-encoding");
            }
        }
        if (server.getRequestURI().length() + server.getQueryString().length() > limits.maxUrlLength()) {
            return new Problem(414, "URI Too Long", "request target longer than " + limits.maxUrlLength());
        }
        if (!limits.allowedHosts().isEmpty()) {
            String host = head.host;
            if (host == null || !limits.allowsHost(Hosts.hostOf(host))) {
                return new Problem(421, "Misdirected Request", "this listener does not serve that host");
            }
        }
        return null;
    }

    /** 431 when the header fields are too many or too large (counted on the edge's flat copy). */
    Problem checkHeaderSize(Request request) {
        Headers headers = request.headers();
        int fields = headers.size() + (request.authority().isEmpty() ? 0 : 1);
        if (fields > limits.maxHeaders()) {
            return new Problem(431, "Request Header Fields Too Large", "more than " + limits.maxHeaders()
                    + " header fields");
        }
        long bytes = request.authority().length() + 8;
        for (int i = 0; i < headers.size(); i++) {
            bytes += headers.name(i).length() + headers.value(i).length() + 4;
        }
        if (bytes > limits.maxHeaderBytes()) {
            return new Problem(431, "Request Header Fields Too Large", "header fields larger than "
                    + limits.maxHeaderBytes() + " bytes");
        }
        return null;
    }

    /** The request as far as it can be told of a refused head: its method and path when they are valid. */
    static Request refusedRequest(HttpServerExchange server) {
        String method = server.getRequestMethod() == null ? "" : server.getRequestMethod().toString();
        String path = server.getRequestURI();
        try {
            return Request.of(method, path != null && path.startsWith("/") ? path : "/");
        } catch (IllegalArgumentException e) {
            return Request.of("GET", "/").withMethod("UNKNOWN");
        }
    }

    /**
     * What the edge needs from the request's header fields, learnt in one pass: the fields as the edge's
     * request carries them (Host becomes the authority) and the few that the checks, the body's framing
     * and the protocol switch look at. Undertow groups the fields by name, so each name is looked at once.
     */
    static final class InboundHead {
        final Headers.Builder fields;
        String host;
        String te;
        HeaderValues transferEncoding;
        HeaderValues contentLength;
        HeaderValues connection;
        HeaderValues upgrade;

        private InboundHead(int size) {
            fields = Headers.builder(size);
        }

        static InboundHead read(HeaderMap source) {
            InboundHead head = new InboundHead(source.size());
            for (HeaderValues values : source) {
                HttpString name = values.getHeaderName();
                if (is(name, io.undertow.util.Headers.HOST)) {
                    head.host = values.getFirst(); // the first is the authority (HTTP/1.1 heads with two
                    // never get here: Undertow refuses them); Host is not one of the edge's fields
                    continue;
                }
                if (is(name, io.undertow.util.Headers.CONNECTION)) {
                    head.connection = values;
                } else if (is(name, io.undertow.util.Headers.CONTENT_LENGTH)) {
                    head.contentLength = values;
                } else if (is(name, io.undertow.util.Headers.TRANSFER_ENCODING)) {
                    head.transferEncoding = values;
                } else if (is(name, io.undertow.util.Headers.UPGRADE)) {
                    head.upgrade = values;
                } else if (is(name, io.undertow.util.Headers.TE)) {
                    head.te = values.getFirst();
                }
                String text = name.toString();
                for (int i = 0; i < values.size(); i++) {
                    head.fields.add(text, values.get(i));
                }
            }
            return head;
        }

        /** The parser hands out Undertow's own name for a known field; any other spelling still matches. */
        static boolean is(HttpString name, HttpString known) {
            return name == known || (name.length() == known.length() && name.equals(known));
        }
    }

    Request toRequest(HttpServerExchange server, InboundHead head) {
        HeaderValues connection = head.connection;
        if (connection != null && server.isPersistent()) {
            // Undertow honours only a bare "close"; "close, X-Foo" must close the connection too
            for (String value : connection) {
                for (String token : value.split(",")) {
                    if (token.trim().equalsIgnoreCase("close")) {
                        server.setPersistent(false);
                    }
                }
            }
        }
        String authority = head.host;
        String path = rawPath(server.getRequestURI(), authority);
        Body body = requestBody(server, head);
        return Request.builder()
                .method(server.getRequestMethod().toString())
                .scheme(server.getRequestScheme())
                .authority(authority == null ? "" : authority)
                .path(path)
                .query(server.getQueryString())
                .headers(head.fields.build())
                .body(body)
                .build();
    }

    /**
     * The path exactly as the client sent it (Undertow's own path drops {@code ;parameters}, which the
     * edge canonicalises itself). An absolute-form target must name the same authority as Host.
     */
    static String rawPath(String uri, String authority) {
        if (uri.startsWith("/")) {
            return uri;
        }
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("request target is not a path");
        }
        int pathStart = uri.indexOf('/', schemeEnd + 3);
        String targetAuthority = uri.substring(schemeEnd + 3, pathStart < 0 ? uri.length() : pathStart);
        if (authority == null || !targetAuthority.equalsIgnoreCase(authority)) {
            throw new IllegalArgumentException("absolute request target names another host than Host");
        }
        return pathStart < 0 ? "/" : uri.substring(pathStart);
    }

    Body requestBody(HttpServerExchange server, InboundHead head) {
        long length;
        if (head.transferEncoding != null) {
            length = -1;
        } else if (head.contentLength == null && server.getProtocol().equals(Protocols.HTTP_2_0)) {
            length = server.isRequestComplete() ? 0 : -1; // HTTP/2 frames the body itself
        } else {
            String contentLength = head.contentLength == null ? null : head.contentLength.getFirst();
            try {
                length = contentLength == null ? 0 : Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid content-length");
            }
            if (length < 0) {
                throw new IllegalArgumentException("invalid content-length");
            }
        }
        if (length == 0 || server.isRequestComplete()) {
            return Body.empty();
        }
        if (length == -1 && head.transferEncoding != null) {
            // chunked: read by the edge's strict decoder, not Undertow's lenient one; trailers share the
            // head's bound
            ChunkedRequestConduit.install(server, limits.maxHeaderBytes());
        }
        return new ChannelBody(server::getRequestChannel, length, server.getIoThread(), Long.MAX_VALUE, null,
                Activity.NONE);
    }
}
