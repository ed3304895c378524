package io.edgekit.proxy.internal.upstream;

import io.edgekit.core.Body;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.internal.HopByHop;
import io.edgekit.proxy.internal.io.ChannelBody;
import io.edgekit.proxy.internal.io.HeaderNames;
import io.undertow.client.ClientRequest;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Methods;
import java.util.List;

/**
 * Heads between the edge and its upstreams, as pure conversions: the request for Undertow's client
 * (HTTP/2 upstreams), and the response fields the edge passes on from either client, less the hop-by-hop
 * fields and those {@code Connection} names.
 */
final class UpstreamHeads {
    private UpstreamHeads() {
    }

    /** Response fields as the edge passes them on, and the bytes the upstream's fields took. */
    record Converted(Headers headers, long headerBytes) {
    }

    /** The request for Undertow's client: {@code length} -1 when the body's length is not known. */
    static ClientRequest clientRequest(Request request, Endpoint endpoint, long length, boolean http2,
            boolean teTrailers, String upgrade) {
        ClientRequest outbound = new ClientRequest()
                .setMethod(Methods.fromString(request.method()))
                .setPath(request.uri());
        HeaderMap headers = outbound.getRequestHeaders();
        Headers source = request.headers();
        for (int i = 0; i < source.size(); i++) {
            String name = source.name(i);
            if (HopByHop.isHopByHop(name) || HopByHop.isFraming(name) || name.equalsIgnoreCase("host")
                    || name.equalsIgnoreCase("expect")) {
                continue;
            }
            headers.add(HeaderNames.of(name), source.value(i));
        }
        headers.put(io.undertow.util.Headers.HOST,
                request.authority().isEmpty() ? endpoint.address() : request.authority());
        if (length > 0 || (length == 0 && permitsBody(request.method()))) {
            headers.put(io.undertow.util.Headers.CONTENT_LENGTH, length);
        } else if (length < 0 && !http2) {
            headers.put(io.undertow.util.Headers.TRANSFER_ENCODING, "chunked"); // HTTP/2 frames bodies itself
        }
        if (http2 && teTrailers) {
            headers.put(io.undertow.util.Headers.TE, "trailers"); // gRPC servers ask for it
        }
        if (upgrade != null) {
            headers.put(io.undertow.util.Headers.CONNECTION, "Upgrade");
            headers.put(io.undertow.util.Headers.UPGRADE, upgrade);
        }
        return outbound;
    }

    private static boolean permitsBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    /** The fields of a response from Undertow's client. */
    static Converted fromUndertow(HeaderMap source) {
        Headers.Builder headers = Headers.builder(source.size() + 2);
        List<String> connectionTokens = null;
        HeaderValues connection = source.get(io.undertow.util.Headers.CONNECTION);
        if (connection != null && !(connection.size() == 1 && namesNothingElse(connection.getFirst()))) {
            connectionTokens = HopByHop.connectionTokens(Headers.of("connection", String.join(",", connection)));
        }
        long headerBytes = 0;
        for (HeaderValues values : source) {
            String name = values.getHeaderName().toString();
            for (int i = 0; i < values.size(); i++) {
                headerBytes += name.length() + values.get(i).length() + 4;
            }
            if (HopByHop.isHopByHop(name)
                    || (connectionTokens != null && HopByHop.isListed(connectionTokens, name))) {
                continue;
            }
            for (int i = 0; i < values.size(); i++) {
                headers.add(name, values.get(i));
            }
        }
        return new Converted(headers.build(), headerBytes);
    }

    /** The fields of a response head read by the edge's own HTTP/1.1 client. */
    static Headers fromHttp1(Http1ResponseHead head) {
        String[] fields = head.fields;
        List<String> connectionTokens = null;
        if (head.connectionNamesFields) {
            Headers.Builder named = Headers.builder(1);
            for (int i = 0; i < head.size; i++) {
                if (fields[2 * i].equalsIgnoreCase("connection")) {
                    named.add("connection", fields[2 * i + 1]);
                }
            }
            connectionTokens = HopByHop.connectionTokens(named.build());
        }
        Headers.Builder headers = Headers.builder(head.size + 2);
        for (int i = 0; i < head.size; i++) {
            String name = fields[2 * i];
            if (!HopByHop.isHopByHop(name)
                    && (connectionTokens == null || !HopByHop.isListed(connectionTokens, name))) {
                headers.add(name, fields[2 * i + 1]);
            }
        }
        return headers.build();
    }

    /** The fields of a 101 answer, which go to the client with the switch: no hop-by-hop or framing ones. */
    static Headers switched(Http1ResponseHead head) {
        String[] fields = head.fields;
        Headers.Builder headers = Headers.builder(head.size);
        for (int i = 0; i < head.size; i++) {
            String name = fields[2 * i];
            if (!HopByHop.isHopByHop(name) && !HopByHop.isFraming(name)) {
                headers.add(name, fields[2 * i + 1]);
            }
        }
        return headers.build();
    }

    /** A request body's length as it will be sent: -1 when a filter read part of it and it streams on. */
    static long bodyLength(Body body) {
        if (body instanceof ChannelBody channelBody) {
            java.util.concurrent.CompletableFuture<byte[]> aggregated = channelBody.aggregated();
            if (aggregated != null && aggregated.isDone() && !aggregated.isCompletedExceptionally()) {
                return aggregated.join().length;
            }
            return channelBody.isUntouched() ? body.length() : -1;
        }
        return body.length();
    }

    /** Whether a request may go out again on another connection: idempotent, no upgrade, its body in memory. */
    static boolean replayable(Request request, io.edgekit.core.Exchange exchange) {
        Body body = request.body();
        return io.edgekit.core.RetryRule.isIdempotent(request.method()) && exchange.getOrNull(Tunnel.UPGRADE) == null
                && (body instanceof io.edgekit.core.internal.BytesBody || body.length() == 0);
    }

    /** {@code Connection: keep-alive} or {@code close}, as nearly every upstream sends: no field to drop by name. */
    private static boolean namesNothingElse(String connection) {
        return connection.equalsIgnoreCase("keep-alive") || connection.equalsIgnoreCase("close");
    }
}
