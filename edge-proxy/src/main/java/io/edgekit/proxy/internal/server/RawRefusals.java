package io.edgekit.proxy.internal.server;

import io.edgekit.core.EdgeRuntime;
import io.edgekit.core.Exchange;
import io.edgekit.core.Problem;
import io.edgekit.core.Request;
import io.edgekit.core.internal.RequestIds;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Problem responses the edge writes as raw bytes on a connection that has no exchange (a connection over a
 * limit, a head Undertow's parser refused), and their report to the exchange listener: each gets an
 * exchange of its own, with its own request id, that completes once.
 */
final class RawRefusals {
    /** What a refused connection's exchange says of its request: none was read. */
    private static final Request NO_HEAD = Request.of("-", "/");

    private RawRefusals() {
    }

    /** A refusal in progress: its exchange, the bytes to write, and how many of them are body. */
    record Refusal(Exchange exchange, ByteBuffer bytes, int bodyLength, int status) {
        /** Reports the refusal written (failure null) or not. */
        void complete(EdgeRuntime runtime, Throwable failure) {
            runtime.complete(exchange, status, 0, failure == null ? bodyLength : 0, 0, null, failure);
        }
    }

    /**
     * Makes the response for {@code problem} with a new request id (in {@code X-Request-Id} too when the
     * edge sends that field), {@code Connection: close}, and {@code Retry-After: 1} when asked; its exchange
     * has heard {@code headReceived}, {@code noRoute} and {@code responseHeadWritten}.
     */
    static Refusal refuse(EdgeRuntime runtime, SocketAddress peer, Problem problem, boolean retryAfter) {
        String requestId = RequestIds.next();
        Exchange.Builder builder = Exchange.builder(NO_HEAD).requestId(requestId).ticker(runtime.ticker());
        if (peer instanceof InetSocketAddress address) {
            builder.peer(address);
        }
        Exchange exchange = runtime.refused(builder);
        runtime.responseHeadWritten(exchange, problem.status());
        byte[] body = problem.toJson(requestId).getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + problem.status() + " " + problem.title() + "\r\n"
                + "Date: " + io.edgekit.core.internal.HttpDates.format(System.currentTimeMillis() / 1000) + "\r\n"
                + "Content-Type: " + Problem.MEDIA_TYPE + "\r\n"
                + (runtime.sendsRequestIdField() ? "X-Request-Id: " + requestId + "\r\n" : "")
                + (retryAfter ? "Retry-After: 1\r\n" : "")
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
        out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
        return new Refusal(exchange, out, body.length, problem.status());
    }
}
