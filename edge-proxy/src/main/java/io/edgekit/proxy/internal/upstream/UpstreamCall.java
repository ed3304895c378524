package io.edgekit.proxy.internal.upstream;

import io.edgekit.core.Body;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Exchange;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import io.edgekit.core.UpstreamException;
import io.edgekit.core.internal.BytesBody;
import io.edgekit.core.internal.HopByHop;
import io.edgekit.proxy.internal.io.Activity;
import io.edgekit.proxy.internal.io.BytesWriter;
import io.edgekit.proxy.internal.io.CallSweeper;
import io.edgekit.proxy.internal.io.ChannelBody;
import io.edgekit.proxy.internal.io.ChannelPump;
import io.edgekit.proxy.internal.io.IoThreads;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.connector.ByteBufferPool;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * One attempt to one endpoint over a pooled connection (the edge's own HTTP/1.1 client, or Undertow's
 * for HTTP/2 upstreams): sends the request head,
 * streams the request body, completes {@link #future} at the response head, then streams the response
 * body for the writer and gives the connection back (or closes it). Enforces the connect,
 * response-header, idle and (while the body streams) total timeouts. Confined to one IO thread.
 */
public final class UpstreamCall extends CallSweeper.Entry implements ConnectionPools.Callback, ChannelBody.Owner, Activity {
    private static final Logger logger = LoggerFactory.getLogger(UpstreamCall.class);

    /** Set on an exchange whose client said {@code TE: trailers}. */
    public static final io.edgekit.core.Attr<Boolean> TE_TRAILERS = io.edgekit.core.Attr.named("edgekit.te-trailers");

    private static final byte[] NO_BYTES = new byte[0];

    /** Where an attempt keeps its call. */
    public static final io.edgekit.core.Attr<UpstreamCall> KEY = io.edgekit.core.Attr.named("edgekit.upstream-call");

    /** Request body bytes sent upstream, once the body has gone. */
    public long requestBytes;

    /** The response head, or why there is none; cancelling it abandons the call. */
    public final CompletableFuture<Response> future = new CompletableFuture<>() {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = !isDone() && super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                abort();
            }
            return cancelled;
        }

        @Override
        public boolean completeExceptionally(Throwable cause) {
            boolean completed = super.completeExceptionally(cause);
            if (completed && cause instanceof CancellationException) {
                abort();
            }
            return completed;
        }
    };
    private final Exchange exchange;
    private final Endpoint endpoint;
    private final Request request;
    private final Upstream upstream;
    private final Timeouts timeouts;
    private final XnioIoThread ioThread;
    private final ByteBufferPool buffers;
    private final long maxRequestBodyBytes;
    private ConnectionPools.Pooled pooled;
    private ConnectionPools pools;
    /** Whether the connection in use served an earlier request: the upstream may have closed it meanwhile. */
    private boolean reused;
    private int staleRetries;
    private ChannelPump requestPump;
    private ChannelBody responseBody;
    private ClientExchange clientExchange;
    /** The HTTP/1.1 connection that answered, for its trailers. */
    private Http1Connection http1;
    /** Some bytes of a response arrived (perhaps not a whole head): the request reached the upstream. */
    private boolean responseStarted;
    private org.xnio.StreamConnection upgradedConnection;
    private Runnable onStreamAbort;
    private boolean requestSent;
    private boolean responseReceived;
    private boolean responseBodyDone;
    private boolean finished;
    private long lastActivity;
    /** When the response head must have arrived by, in ticker nanoseconds; 0 when not waiting for it. */
    private long responseDeadline;
    private final CallSweeper sweeper;

    public UpstreamCall(Exchange exchange, Endpoint endpoint, Request request, Upstream upstream, Timeouts timeouts,
            XnioIoThread ioThread, ByteBufferPool buffers, long maxRequestBodyBytes, CallSweeper sweeper) {
        this.sweeper = sweeper;
        this.exchange = exchange;
        this.endpoint = endpoint;
        this.request = request;
        this.upstream = upstream;
        this.timeouts = timeouts;
        this.ioThread = ioThread;
        this.buffers = buffers;
        this.maxRequestBodyBytes = maxRequestBodyBytes;
    }

    /** Starts the attempt, unless it was abandoned before it could start (a timeout, the client gone). */
    public void start(ConnectionPools pools) {
        if (finished || future.isDone()) {
            return;
        }
        this.pools = pools;
        lastActivity = exchange.ticker().nanos();
        if (!timeouts.idle().isZero() || !timeouts.total().isZero() || !timeouts.responseHeaders().isZero()) {
            sweeper.add(this);
        }
        pools.acquire(endpoint, upstream, ioThread, buffers, timeouts.connect(), this);
    }

    /** The response body this call produced, once the response head arrived. */
    public ChannelBody responseBody() {
        return responseBody;
    }

    /** Runs if the call is aborted while its response body streams to the client. */
    public void onStreamAbort(Runnable hook) {
        this.onStreamAbort = hook;
    }

    @Override
    public void touch() {
        lastActivity = exchange.ticker().nanos();
    }

    @Override
    public void connected(ConnectionPools.Pooled connection, boolean reused) {
        if (future.isDone() || finished) {
            connection.release(true);
            return;
        }
        this.pooled = connection;
        this.reused = reused;
        touch();
        if (connection.http1 != null) {
            sendHttp1(connection);
            return;
        }
        ClientRequest outbound = clientRequest();
        if (outbound == null) {
            return;
        }
        connection.connection.sendRequest(outbound, onConnection(connection, this::onExchange,
                "sending the request failed"));
    }

    /**
     * A callback for an exchange on {@code connection} that acts only while the call still uses that
     * connection: after a resend on another one, late words from the one given up are ignored.
     */
    private ClientCallback<ClientExchange> onConnection(ConnectionPools.Pooled connection,
            java.util.function.Consumer<ClientExchange> completed, String failure) {
        return new ClientCallback<>() {
            @Override
            public void completed(ClientExchange result) {
                if (pooled == connection) {
                    completed.accept(result);
                }
            }

            @Override
            public void failed(IOException e) {
                if (pooled == connection) {
                    fail(UpstreamException.reset(failure), e);
                }
            }
        };
    }

    @Override
    public void failed(UpstreamException cause) {
        if (!future.isDone()) {
            finished = true;
            cancelTimers();
            future.completeExceptionally(cause);
        }
    }

    private ClientRequest clientRequest() {
        return UpstreamHeads.clientRequest(request, endpoint, UpstreamHeads.bodyLength(request.body()),
                upstream.http2(), exchange.getOrNull(TE_TRAILERS) != null, exchange.getOrNull(Tunnel.UPGRADE));
    }

    private void onExchange(ClientExchange clientExchange) {
        if (finished) {
            return;
        }
        clientExchange.setResponseListener(onConnection(pooled, this::onResponse, "reading the response failed"));
        sendBody(clientExchange.getRequestChannel(), false, UpstreamHeads.bodyLength(request.body()));
    }

    /** Sends the request over the edge's own HTTP/1.1 client. */
    private void sendHttp1(ConnectionPools.Pooled connection) {
        long length = UpstreamHeads.bodyLength(request.body());
        String upgrade = exchange.getOrNull(Tunnel.UPGRADE);
        java.nio.ByteBuffer head;
        try {
            head = Http1RequestHead.encode(request,
                    request.authority().isEmpty() ? endpoint.address() : request.authority(), length,
                    upgrade, connection.http1);
        } catch (IllegalArgumentException e) {
            failWith(e); // a filter set a field that would split the head: the edge's fault, answered 500
            return;
        }
        StreamSinkChannel sink = connection.http1.send(head, length < 0, request.method().equals("HEAD"),
                upgrade != null, upstream.maxResponseHeaderBytes(),
                new Http1Connection.Listener() {
                    @Override
                    public void response(Http1ResponseHead head, long length, StreamSourceChannel body) {
                        if (pooled == connection && !finished) {
                            onHttp1Response(connection.http1, head, length, body);
                        }
                    }

                    @Override
                    public void failed(IOException cause, String what, boolean nothingReceived) {
                        if (pooled == connection) {
                            responseStarted |= !nothingReceived;
                            fail(UpstreamException.reset(what), cause);
                        }
                    }
                });
        sendBody(sink, true, length);
    }

    /**
     * Streams or writes the request body to {@code sink}; with no body, ends the request there when
     * {@code endWhenEmpty} (the own client's head goes out then), else it is sent already.
     */
    private void sendBody(StreamSinkChannel sink, boolean endWhenEmpty, long length) {
        Body body = request.body();
        if (!(body instanceof ChannelBody channelBody && channelBody.isUntouched()) && length == 0) {
            if (endWhenEmpty) {
                endRequest(sink);
            } else {
                requestSent(); // no content: the client connection has already finished the request
            }
            return;
        }
        if (body instanceof ChannelBody channelBody && channelBody.isUntouched()) {
            requestPump = new ChannelPump(channelBody.take(), sink, buffers,
                    maxRequestBodyBytes, this, requestBodyDone(), channelBody.prefix());
            requestPump.start();
            return;
        }
        CompletableFuture<byte[]> bytes = body instanceof BytesBody bytesBody
                ? CompletableFuture.completedFuture(bytesBody.unsafeBytes())
                : body.aggregate(maxRequestBodyBytes).toCompletableFuture();
        bytes.whenComplete((data, error) -> onIoThread(() -> {
            if (finished) {
                return;
            }
            if (error != null) {
                requestBodyFailed(error, true);
                return;
            }
            BytesWriter.write(sink, data, this, requestBodyDone());
        }));
    }

    /** Ends a request without a body: its head goes out now, or when the socket takes it. */
    private void endRequest(StreamSinkChannel sink) {
        try {
            sink.shutdownWrites();
            if (sink.flush()) {
                requestSent();
                return;
            }
        } catch (IOException e) {
            requestBodyFailed(e, false);
            return;
        }
        BytesWriter.write(sink, NO_BYTES, this, requestBodyDone()); // waits for the socket, then flushes
    }

    /** Where the request body's writer, pump or in-memory, reports that it is sent or why it is not. */
    private ChannelPump.Callback requestBodyDone() {
        ConnectionPools.Pooled connection = pooled;
        return new ChannelPump.Callback() {
            @Override
            public void completed(long bytes) {
                requestBytes = bytes;
                if (pooled == connection) {
                    requestSent();
                }
            }

            @Override
            public void failed(Throwable cause, boolean readSide) {
                if (pooled == connection) {
                    requestBodyFailed(cause, readSide);
                }
            }
        };
    }

    private void requestBodyFailed(Throwable cause, boolean readSide) {
        if (cause instanceof Body.TooLargeException tooLarge) {
            failWith(tooLarge);
        } else if (cause instanceof Body.MalformedException malformed) {
            failWith(malformed);
        } else if (readSide) {
            failWith(UpstreamException.reset("the client request body could not be read"));
        } else {
            fail(UpstreamException.reset("sending the request body failed"), cause);
        }
    }

    private void requestSent() {
        requestSent = true;
        touch();
        if (!responseReceived && !timeouts.responseHeaders().isZero()) {
            responseDeadline = lastActivity + timeouts.responseHeaders().toNanos();
        }
        if (responseBodyDone) {
            release();
        }
    }

    /** A response head from Undertow's client, which the edge uses for HTTP/2 upstreams only. */
    private void onResponse(ClientExchange clientExchange) {
        if (finished) {
            return;
        }
        responseReceived = true;
        responseDeadline = 0;
        touch();
        ClientResponse response = clientExchange.getResponse();
        HeaderMap source = response.getResponseHeaders();
        if (response.getResponseCode() == 101 && exchange.getOrNull(Tunnel.UPGRADE) != null) {
            upgraded(response, clientExchange);
            return;
        }
        UpstreamHeads.Converted converted = UpstreamHeads.fromUndertow(source);
        long headerBytes = converted.headerBytes();
        long contentLength = -1;
        if (headerBytes > upstream.maxResponseHeaderBytes()) {
            fail(UpstreamException.reset("response header fields larger than "
                    + upstream.maxResponseHeaderBytes() + " bytes"), null);
            return;
        }
        String lengthHeader = source.getFirst(io.undertow.util.Headers.CONTENT_LENGTH);
        boolean chunked = source.contains(io.undertow.util.Headers.TRANSFER_ENCODING);
        int status = response.getResponseCode();
        if (request.method().equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            contentLength = 0;
        } else if (!chunked && lengthHeader != null) {
            try {
                contentLength = Long.parseLong(lengthHeader.trim());
            } catch (NumberFormatException e) {
                fail(UpstreamException.reset("invalid content-length from upstream"), null);
                return;
            }
        } // else an HTTP/2 body without a length: it ends with its stream (-1, unknown)
        this.clientExchange = clientExchange;
        deliver(status, converted.headers(), contentLength, clientExchange::getResponseChannel);
    }

    /** A response head from the own HTTP/1.1 client: its fields less the hop-by-hop ones, and its body. */
    private void onHttp1Response(Http1Connection connection, Http1ResponseHead head, long length,
            StreamSourceChannel body) {
        responseReceived = true;
        responseStarted = true;
        responseDeadline = 0;
        touch();
        http1 = connection;
        if (head.status == 101) {
            switched(UpstreamHeads.switched(head), connection.upgrade());
            return;
        }
        deliver(head.status, UpstreamHeads.fromHttp1(head), length, () -> body);
    }

    private void deliver(int status, Headers headers, long contentLength,
            java.util.function.Supplier<StreamSourceChannel> body) {
        responseBody = new ChannelBody(body, contentLength, ioThread, Long.MAX_VALUE, this, this);
        Response edgeResponse;
        try {
            edgeResponse = Response.of(status, headers, responseBody);
        } catch (IllegalArgumentException e) {
            fail(UpstreamException.reset("invalid status from upstream"), null);
            return;
        }
        if (!future.complete(edgeResponse)) {
            abort();
        }
    }

    /** The upstream switched protocols: its connection leaves the pool and becomes half of a tunnel. */
    private void upgraded(ClientResponse response, ClientExchange clientExchange) {
        Headers.Builder headers = Headers.builder();
        for (HeaderValues values : response.getResponseHeaders()) {
            String name = values.getHeaderName().toString();
            if (!HopByHop.isHopByHop(name) && !HopByHop.isFraming(name)) {
                for (int i = 0; i < values.size(); i++) {
                    headers.add(name, values.get(i));
                }
            }
        }
        try {
            switched(headers.build(), clientExchange.getConnection().performUpgrade());
        } catch (IOException e) {
            fail(UpstreamException.reset("the upstream upgrade failed"), e);
        }
    }

    /** Answers 101 with {@code headers}; {@code connection} leaves the pool to become half of a tunnel. */
    private void switched(Headers headers, org.xnio.StreamConnection connection) {
        upgradedConnection = connection;
        finished = true;
        cancelTimers();
        pooled = null; // closing the tunnel closes the connection, which the pool then counts as gone
        future.complete(Response.of(101, headers, Body.empty()));
    }

    /**
     * Whether the response's body, of {@code length} bytes (-1 when unknown), can end with trailers: an
     * HTTP/1.1 body of known length cannot (only chunks carry them); an HTTP/2 stream always can.
     */
    public boolean mayHaveTrailers(long length) {
        return http1 == null || length < 0;
    }

    /** The upstream response's trailers, once its body was read to the end; null when it had none. */
    public HeaderMap trailers() {
        if (http1 != null) {
            return http1.trailers();
        }
        // Undertow's client keeps a response's trailers under the REQUEST_TRAILERS key
        return clientExchange == null ? null
                : clientExchange.getAttachment(io.undertow.server.protocol.http.HttpAttachments.REQUEST_TRAILERS);
    }

    /** The upstream side of a switched connection, after a 101. */
    public org.xnio.StreamConnection upgradedConnection() {
        return upgradedConnection;
    }

    @Override
    public void bodyCompleted() {
        responseBodyDone = true;
        if (requestSent) {
            release();
        } else {
            // the upstream answered before it read the whole request: the connection cannot be reused
            abort();
        }
    }

    @Override
    public void bodyFailed(Throwable cause) {
        logger.debug("request {} response body from {} failed: {}", exchange.requestId(), endpoint,
                cause.toString());
        abort();
    }

    @Override
    public void bodyDiscarded() {
        abort();
    }

    private void release() {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimers();
        if (pooled != null) {
            pooled.release(true);
            pooled = null;
        }
    }

    /** Abandons the attempt: its connection is closed, never reused. */
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimers();
        if (requestPump != null) {
            requestPump.cancel();
        }
        if (pooled != null) {
            pooled.release(false);
            pooled = null;
        }
        if (future.isDone() && onStreamAbort != null) {
            onStreamAbort.run();
        }
    }

    private void fail(UpstreamException cause, Throwable detail) {
        if (retriedOnAnotherConnection(detail == null ? cause.getMessage() : detail.toString())) {
            return;
        }
        logger.debug("request {} to {} failed: {}", exchange.requestId(), endpoint,
                detail == null ? cause.getMessage() : detail.toString());
        failWith(cause);
    }

    private void failWith(Throwable cause) {
        boolean completed = future.completeExceptionally(cause);
        abort();
        if (!completed && onStreamAbort != null) {
            onStreamAbort.run();
        }
    }

    /**
     * A kept-alive connection failed before any response came: the upstream most likely closed it while it
     * sat idle, and the request never reached it. An idempotent request whose body can be sent again goes
     * out once more on another connection (RFC 9112 section 9.3.1), at most twice.
     */
    private boolean retriedOnAnotherConnection(String why) {
        if (!reused || responseReceived || responseStarted || finished || future.isDone() || staleRetries >= 2
                || !upstream.resendOnClosedConnection() || !UpstreamHeads.replayable(request, exchange)) {
            return false;
        }
        if (pooled != null) {
            pooled.dropIdleSiblings(); // the endpoint may be gone: its other idle connections are not tried
        }
        if (!upstream.retryBudget().tryRetry()) {
            return false; // a resend must fit the upstream's retry budget (it holds its place only now)
        }
        upstream.retryBudget().onRetryEnd();
        staleRetries++;
        logger.debug("request {} to {}: kept-alive connection failed ({}), retrying on another", exchange.requestId(),
                endpoint, why);
        ConnectionPools.Pooled failed = pooled;
        pooled = null; // first: closing it makes Undertow report the failure again, which must be ignored
        if (failed != null) {
            failed.release(false);
        }
        reused = false;
        requestSent = false;
        responseDeadline = 0;
        clientExchange = null;
        http1 = null;
        requestPump = null;
        pools.acquire(endpoint, upstream, ioThread, buffers, timeouts.connect(), this);
        return true;
    }

    /** Called by the sweeper: fails the call when a deadline passed; false once the call is over. */
    @Override
    public boolean check(long now) {
        if (finished) {
            return false;
        }
        if (responseDeadline != 0 && now - responseDeadline >= 0) {
            failWith(UpstreamException.timeout("no response headers in time"));
            return false;
        }
        long idle = timeouts.idle().toNanos();
        long total = timeouts.total().toNanos();
        // before the response head, the engine owns the total timeout; after it, the body does
        boolean totalPassed = total > 0 && responseReceived && now - exchange.startNanos() >= total;
        if ((idle > 0 && now - lastActivity >= idle) || totalPassed) {
            logger.debug("request {} to {} timed out (idle or total)", exchange.requestId(), endpoint);
            boolean clientStalled = !totalPassed && requestPump != null && requestPump.isWaitingForSource();
            failWith(clientStalled ? new Body.StalledException() : UpstreamException.timeout("idle or total timeout"));
            return false;
        }
        return true;
    }

    private void cancelTimers() {
        responseDeadline = 0;
        sweeper.remove(this);
    }

    private void onIoThread(Runnable task) {
        IoThreads.run(ioThread, task);
    }
}
