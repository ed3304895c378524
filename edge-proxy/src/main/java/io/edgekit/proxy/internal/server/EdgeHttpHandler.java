package io.edgekit.proxy.internal.server;

import io.edgekit.proxy.internal.filters.Compression;
import io.edgekit.proxy.internal.filters.Decompression;
import io.edgekit.proxy.internal.io.Activity;
import io.edgekit.proxy.internal.io.BytesWriter;
import io.edgekit.proxy.internal.io.CallSweeper;
import io.edgekit.proxy.internal.io.ChannelBody;
import io.edgekit.proxy.internal.io.ChannelPump;
import io.edgekit.proxy.internal.io.FileBody;
import io.edgekit.proxy.internal.io.FileWriter;
import io.edgekit.proxy.internal.io.HeaderNames;
import io.edgekit.proxy.internal.io.IoScheduler;
import io.edgekit.proxy.internal.io.IoThreads;
import io.edgekit.proxy.internal.upstream.ConnectionPools;
import io.edgekit.proxy.internal.upstream.Http1Connection;
import io.edgekit.proxy.internal.upstream.Tunnel;
import io.edgekit.proxy.internal.upstream.UpstreamCall;

import io.edgekit.core.Body;
import io.edgekit.core.Edge;
import io.edgekit.core.EdgeRuntime;
import io.edgekit.core.Endpoint;
import io.edgekit.core.Exchange;
import io.edgekit.core.ProbeClient;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import io.edgekit.core.UpstreamException;
import io.edgekit.core.Headers;
import io.edgekit.core.Problem;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Ticker;
import io.edgekit.core.internal.BytesBody;
import io.edgekit.core.internal.EngineAttrs;
import io.edgekit.core.internal.Hosts;
import io.edgekit.core.internal.RequestIds;
import io.edgekit.core.internal.HopByHop;
import io.undertow.conduits.DeflatingStreamSinkConduit;
import io.undertow.conduits.GzipStreamSourceConduit;
import io.undertow.conduits.InflatingStreamSourceConduit;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceChannelWrappingConduit;
import org.xnio.conduits.PushBackStreamSourceConduit;
import org.xnio.channels.StreamSourceChannel;
import java.nio.ByteBuffer;
import io.undertow.connector.ByteBufferPool;
import io.undertow.conduits.GzipStreamSinkConduit;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.ObjectPool;
import io.undertow.util.PooledObject;
import java.net.InetSocketAddress;
import java.util.zip.Deflater;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The Undertow handler in front of the engine: turns the Undertow exchange into an edge request, runs
 * the engine on the IO thread, and writes the response back, streaming an upstream body straight from
 * the upstream connection to the client connection.
 */
public final class EdgeHttpHandler implements HttpHandler {
    private static final Logger logger = LoggerFactory.getLogger(EdgeHttpHandler.class);
    private static final AttachmentKey<ConnectionSlot> SLOT = AttachmentKey.create(ConnectionSlot.class);

    private static final HttpString REQUEST_ID = HttpString.tryFromString("X-Request-Id");
    private static final HttpString CACHE_STATUS = HttpString.tryFromString("Cache-Status");
    /**
     * HTTP's deflate coding is the zlib format (RFC 9110 section 8.4.1.2); Undertow's default deflater
     * writes raw deflate, which clients reject, so the edge brings its own.
     */
    private static final ObjectPool<Deflater> ZLIB_DEFLATER = () -> {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, false);
        return new PooledObject<>() {
            @Override
            public Deflater getObject() {
                return deflater;
            }

            @Override
            public void close() {
                deflater.end();
            }
        };
    };
    /** The largest byte array the JVM makes. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Edge edge;
    private final EdgeRuntime runtime;
    private final ListenerLimits limits;
    private final UndertowTransport transport;
    private final Ticker ticker;
    private final Executor offloadExecutor;
    private final ConnectionPools pools;
    private final IoScheduler[] schedulers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drainLock = new Object();
    private volatile boolean draining;

    public EdgeHttpHandler(Edge edge, int ioThreads, Executor offloadExecutor, ListenerLimits limits) {
        this.edge = edge;
        this.runtime = edge.runtime();
        this.limits = limits;
        this.ticker = runtime.ticker();
        this.pools = new ConnectionPools(ioThreads, ticker);
        this.transport = new UndertowTransport(pools, ioThreads);
        this.schedulers = new IoScheduler[ioThreads];
        this.offloadExecutor = offloadExecutor;
    }

    /** The scheduler of an IO thread, made once per thread. */
    private IoScheduler scheduler(org.xnio.XnioIoThread ioThread) {
        int n = ioThread.getNumber();
        IoScheduler scheduler = schedulers[n];
        if (scheduler == null) {
            scheduler = new IoScheduler(ioThread);
            schedulers[n] = scheduler; // each slot is only ever written by its own thread
        }
        return scheduler;
    }

    /**
     * A probe client on {@code worker}'s IO threads and the edge's upstream connection pools: each probe
     * is an upstream call made on an IO thread outside any client's request, its response body read into
     * memory up to {@link #MAX_PROBE_BODY}.
     */
    public ProbeClient probes(XnioWorker worker, ByteBufferPool buffers) {
        return (upstream, endpoint, request, timeout) -> {
            CompletableFuture<Response> result = new CompletableFuture<>();
            XnioIoThread io = worker.getIoThread();
            io.execute(() -> probe(io, buffers, upstream, endpoint, request, timeout, result));
            return result;
        };
    }

    private static final int MAX_PROBE_BODY = 64 * 1024;

    private void probe(XnioIoThread io, ByteBufferPool buffers, Upstream upstream, Endpoint endpoint,
            Request request, java.time.Duration timeout, CompletableFuture<Response> result) {
        Request sent = request.authority().isEmpty() ? request.withAuthority(endpoint.address()) : request;
        IoScheduler scheduler = scheduler(io);
        Exchange exchange = Exchange.builder(sent).ticker(ticker).scheduler(scheduler).build();
        Timeouts timeouts = new Timeouts(timeout, timeout, timeout, java.time.Duration.ZERO);
        UpstreamCall call = new UpstreamCall(exchange, endpoint, sent, upstream, timeouts, io, buffers, 0,
                transport.sweeper(io));
        io.edgekit.core.Scheduler.Cancellable timer = scheduler.schedule(timeout, () -> {
            if (result.completeExceptionally(UpstreamException.timeout("probe to " + endpoint + " timed out"))) {
                call.future.cancel(false);
            }
        });
        call.future.thenCompose(response -> response.body().aggregate(MAX_PROBE_BODY)
                        .thenApply(bytes -> response.withBody(Body.of(bytes))))
                .whenComplete((response, error) -> {
                    timer.cancel();
                    if (error != null) {
                        Throwable cause = error instanceof java.util.concurrent.CompletionException
                                && error.getCause() != null ? error.getCause() : error;
                        result.completeExceptionally(cause);
                    } else {
                        result.complete(response);
                    }
                });
        call.start(pools);
    }

    /** Upstream connections open now, busy and idle. */
    public int openUpstreamConnections() {
        return pools.openConnections();
    }

    /** Requests received and not yet completed. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Stops taking new requests (they get 503 and a closed connection) and waits up to {@code millis}
     * for those in flight to complete. Returns true if none is left. Call from a thread that may block.
     */
    public boolean drain(long millis) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (drainLock) {
            while (inFlight.get() > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                drainLock.wait(left);
            }
        }
        return true;
    }

    @Override
    public void handleRequest(HttpServerExchange server) {
        if (draining) {
            server.setPersistent(false);
            answerDirectly(server, new Problem(503, "Service Unavailable", "the edge is shutting down"));
            return;
        }
        HeadScanConduit scanner = scannerOf(server);
        InboundHead head = InboundHead.read(server.getRequestHeaders());
        Problem refused = check(server, scanner, head);
        if (refused != null) {
            server.setPersistent(false); // never read on after a head we refused: nothing can be smuggled
            answerDirectly(server, refused);
            return;
        }
        Request raw;
        try {
            raw = toRequest(server, head);
        } catch (IllegalArgumentException e) {
            server.setPersistent(false);
            answerDirectly(server, new Problem(400, "Bad Request", "malformed request: " + e.getMessage()));
            return;
        }
        Problem tooLarge = checkHeaderSize(raw);
        if (tooLarge != null) {
            server.setPersistent(false);
            answerDirectly(server, tooLarge);
            return;
        }
        ConnectionSlot slot = slot(server, scanner);
        InetSocketAddress peer = slot.peer;
        InetSocketAddress local = slot.local;
        Exchange.Builder inbound = Exchange.builder(raw)
                .peer(peer)
                // the scheme Undertow set from the connection (https under TLS); isSecure() also looks up an
                // attachment no part of the edge sets, on every request
                .secure("https".equals(server.getRequestScheme()))
                .ticker(ticker)
                .scheduler(scheduler(server.getIoThread()))
                .offloadExecutor(offloadExecutor);
        Exchange exchange = runtime.accept(inbound, local.getPort());
        String te = head.te;
        if (te != null && te.toLowerCase(java.util.Locale.ROOT).contains("trailers")) {
            exchange.put(UpstreamCall.TE_TRAILERS, Boolean.TRUE);
        }
        String upgrade = upgradeAsked(server, head);
        if (upgrade != null) {
            exchange.put(Tunnel.UPGRADE, upgrade);
        }
        Flight flight = new Flight(server);
        exchange.put(Flight.KEY, flight);
        watchConnection(server, slot, exchange, flight, scanner);
        boolean http2 = server.getProtocol().equals(Protocols.HTTP_2_0);
        server.dispatch(SameThreadExecutor.INSTANCE, () -> runtime.handle(exchange, transport)
                .whenComplete((response, error) -> {
                    Runnable respond = () -> write(server, exchange, flight, response, error);
                    if (http2) {
                        // at once, as before: deferred to the end of the turn, answers met streams the client
                        // had reset later in the same turn, and a rapid-reset flood (Http2IT) no longer
                        // ended in a GOAWAY the client could read, about one run in two
                        IoThreads.run(server.getIoThread(), respond);
                    } else {
                        IoThreads.atEndOfTurn(server.getIoThread(), respond); // with this turn's other writes
                    }
                }));
    }

    /** {@code websocket} when the client asks to switch to WebSocket (HTTP/1.1 GET), else null. */
    private static String upgradeAsked(HttpServerExchange server, InboundHead head) {
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

    private static HeadScanConduit scannerOf(HttpServerExchange server) {
        if (server.getConnection() instanceof AbstractServerConnection connection
                && connection.getOriginalSourceConduit() instanceof HeadScanConduit scanner) {
            return scanner;
        }
        return null;
    }

    /** The checks on a request head that Undertow's parser does not make: a problem, or null to go on. */
    private Problem check(HttpServerExchange server, HeadScanConduit scanner, InboundHead head) {
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
    private Problem checkHeaderSize(Request request) {
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

    /**
     * Answers before an exchange exists (refused heads, shutting down), with a request id of its own: in
     * the body, and in {@code X-Request-Id} when the edge sends that field.
     */
    private void answerDirectly(HttpServerExchange server, Problem problem) {
        String requestId = RequestIds.next();
        Exchange refused = runtime.refused(Exchange.builder(refusedRequest(server))
                .requestId(requestId)
                .peer(server.getSourceAddress())
                .ticker(ticker)
                .scheduler(scheduler(server.getIoThread())));
        server.addExchangeCompleteListener((ex, next) -> {
            runtime.complete(refused, problem.status(), 0, ex.getResponseBytesSent(), 0, null, null);
            next.proceed();
        });
        runtime.responseHeadWritten(refused, problem.status());
        server.setStatusCode(problem.status());
        server.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (edge.sendsRequestIdField()) {
            server.getResponseHeaders().put(REQUEST_ID, requestId);
        }
        server.getResponseSender().send(problem.toJson(requestId));
    }

    /** The request as far as it can be told of a refused head: its method and path when they are valid. */
    private static Request refusedRequest(HttpServerExchange server) {
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
    private static final class InboundHead {
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
        private static boolean is(HttpString name, HttpString known) {
            return name == known || (name.length() == known.length() && name.equals(known));
        }
    }

    private static Request toRequest(HttpServerExchange server, InboundHead head) {
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
    private static String rawPath(String uri, String authority) {
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

    private static Body requestBody(HttpServerExchange server, InboundHead head) {
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
        return new ChannelBody(server::getRequestChannel, length, server.getIoThread(), Long.MAX_VALUE, null,
                Activity.NONE);
    }

    /**
     * Ties the flight to its client connection (a closing connection abandons the upstream attempt) and
     * registers the one completion listener a request needs.
     */
    private void watchConnection(HttpServerExchange server, ConnectionSlot slot, Exchange exchange, Flight flight,
            HeadScanConduit scanner) {
        slot.flight = flight;
        inFlight.incrementAndGet();
        server.addExchangeCompleteListener(new Completion(slot, exchange, flight, scanner));
    }

    /**
     * What happens when an exchange completes: the listener's report, the connection's slot, the drain
     * count, the head scanner.
     */
    private final class Completion implements ExchangeCompletionListener {
        private final ConnectionSlot slot;
        private final Exchange exchange;
        private final Flight flight;
        private final HeadScanConduit scanner;

        Completion(ConnectionSlot slot, Exchange exchange, Flight flight, HeadScanConduit scanner) {
            this.slot = slot;
            this.exchange = exchange;
            this.flight = flight;
            this.scanner = scanner;
        }

        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
            if (slot.flight == flight) {
                slot.flight = null;
            }
            report(exchange, this.exchange, flight);
            if (scanner != null && exchange.getStatusCode() != 101) {
                scanner.expectHead(); // after a switch, the connection carries another protocol: no heads
            }
            if (inFlight.decrementAndGet() == 0 && draining) {
                synchronized (drainLock) {
                    drainLock.notifyAll();
                }
            }
            next.proceed();
        }
    }

    /** Tells the exchange's listener how it ended, once. */
    private void report(HttpServerExchange server, Exchange exchange, Flight flight) {
        UpstreamCall call = Flight.serving(exchange);
        long in = call != null ? call.requestBytes : Math.max(0, exchange.request().body().length());
        if (flight.headNanos == 0 && server.isResponseStarted()) {
            runtime.responseHeadWritten(exchange, server.getStatusCode()); // an Undertow handler target wrote it
        }
        Throwable failure = flight.failure;
        if (failure == null && !server.isResponseComplete()) {
            failure = new java.io.IOException("the response did not reach its end");
        }
        long out = flight.pump != null ? flight.pump.bytes() : flight.bytesOut;
        runtime.complete(exchange, server.getStatusCode(), in, out, flight.headNanos,
                server.getResponseHeaders().getFirst(CACHE_STATUS), failure);
    }

    private void write(HttpServerExchange server, Exchange exchange, Flight flight, Response response,
            Throwable error) {
        if (error != null || response == null) {
            logger.error("request {}: the engine failed without a response", exchange.requestId(), error);
            response = Response.problem(500, "Internal Server Error", "the edge failed to handle the request");
        }
        UpstreamCall call = Flight.serving(exchange);
        Body body = response.body();
        if (body == UndertowHandlerTarget.SentBody.INSTANCE) {
            return; // an Undertow handler target answered on the exchange itself
        }
        if (flight.handedToUndertow) {
            // the edge answered (a timeout) while an Undertow handler may still write: do not race it
            IoUtils.safeClose(server.getConnection());
            return;
        }
        boolean continues = call != null && body instanceof ChannelBody channel
                && channel.origin() == call.responseBody(); // the same bytes, partly read by a filter
        if (call != null && call.responseBody() != null && call.responseBody() != body && !continues) {
            call.bodyDiscarded(); // a filter replaced the upstream's body: its connection cannot be reused
        }
        if (server.isResponseStarted()) {
            IoUtils.safeClose(server.getConnection());
            return;
        }
        flight.headNanos = ticker.nanos();
        runtime.responseHeadWritten(exchange, response.status());
        if (response.status() == 101 && call != null && call.upgradedConnection() != null) {
            switchProtocols(server, exchange, response, call.upgradedConnection());
            return;
        }
        server.setStatusCode(response.status());
        HeaderMap out = server.getResponseHeaders();
        Headers headers = response.headers();
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (!HopByHop.isHopByHop(name) && !HopByHop.isFraming(name)) {
                out.add(HeaderNames.of(name), headers.value(i));
            }
        }
        boolean head = server.getRequestMethod().equalToString("HEAD");
        int status = response.status();
        boolean bodiless = status == 204 || status == 304 || status < 200;
        if (head) {
            String length = headers.firstOrNull("content-length");
            if (length != null && !bodiless) {
                out.put(io.undertow.util.Headers.CONTENT_LENGTH, length);
            }
        }
        if (body instanceof ChannelBody channelBody && channelBody.isUntouched()) {
            long length = channelBody.length();
            String encoding = exchange.getOrNull(Compression.STREAM_ENCODING);
            boolean decoding = exchange.getOrNull(Decompression.STREAM_DECODING) != null;
            if (encoding != null && !head && !bodiless) {
                compressAsItStreams(server, encoding);
            } else if (length >= 0 && !decoding && !head && !bodiless) {
                out.put(io.undertow.util.Headers.CONTENT_LENGTH, length);
            }
            if (call != null) {
                call.onStreamAbort(() -> IoUtils.safeClose(server.getConnection()));
            }
            if (call != null && call.mayHaveTrailers(length)) {
                // trailers (gRPC status) are read when the body has ended, just before the response ends
                server.putAttachment(io.undertow.server.protocol.http.HttpAttachments.RESPONSE_TRAILER_SUPPLIER,
                        call::trailers);
            }
            byte[] prefix = channelBody.prefix();
            StreamSourceChannel source = channelBody.take();
            if (decoding) {
                source = decoded(server, exchange, source, prefix); // a prefix is encoded too: decoded first
                prefix = null;
            }
            flight.pump = new ChannelPump(source, server.getResponseChannel(),
                    server.getConnection().getByteBufferPool(), Long.MAX_VALUE,
                    call != null ? call : Activity.NONE, new ChannelPump.Callback() {
                        @Override
                        public void completed(long bytes) {
                            ownerOf(channelBody).bodyCompleted();
                            server.endExchange();
                        }

                        @Override
                        public void failed(Throwable cause, boolean readSide) {
                            flight.failure = cause;
                            ChannelBody.Owner owner = ownerOf(channelBody);
                            if (readSide) {
                                owner.bodyFailed(cause);
                            } else {
                                owner.bodyDiscarded();
                            }
                            IoUtils.safeClose(server.getConnection());
                        }
                    }, prefix);
            flight.pump.start();
            return;
        }
        if (body instanceof FileBody file) {
            String encoding = exchange.getOrNull(Compression.STREAM_ENCODING);
            if (encoding != null) {
                compressAsItStreams(server, encoding);
            } else {
                out.put(io.undertow.util.Headers.CONTENT_LENGTH, file.length());
            }
            if (head || bodiless) {
                closeQuietly(file);
                server.endExchange();
                return;
            }
            flight.bytesOut = file.length(); // Undertow may end the exchange as the last byte goes out
            FileWriter.write(server.getResponseChannel(), file, new ChannelPump.Callback() {
                @Override
                public void completed(long written) {
                    closeQuietly(file);
                    server.endExchange();
                }

                @Override
                public void failed(Throwable cause, boolean readSide) {
                    flight.failure = cause;
                    closeQuietly(file);
                    IoUtils.safeClose(server.getConnection());
                }
            });
            return;
        }
        CompletableFuture<byte[]> bytes = body instanceof BytesBody bytesBody
                ? CompletableFuture.completedFuture(bytesBody.unsafeBytes())
                : body.aggregate(MAX_ARRAY).toCompletableFuture(); // a body already in memory
        bytes.whenComplete((data, failure) -> {
            Runnable send = () -> {
                if (failure != null) {
                    flight.failure = failure;
                    IoUtils.safeClose(server.getConnection());
                    return;
                }
                if (!head && !bodiless) {
                    out.put(io.undertow.util.Headers.CONTENT_LENGTH, data.length);
                }
                if (data.length == 0 || head || bodiless) {
                    server.endExchange();
                    return;
                }
                flight.bytesOut = data.length; // Undertow may end the exchange as the last byte goes out
                BytesWriter.write(server.getResponseChannel(), data, Activity.NONE, new ChannelPump.Callback() {
                    @Override
                    public void completed(long written) {
                        server.endExchange();
                    }

                    @Override
                    public void failed(Throwable cause, boolean readSide) {
                        flight.failure = cause;
                        IoUtils.safeClose(server.getConnection());
                    }
                });
            };
            IoThreads.run(server.getIoThread(), send);
        });
    }

    /** Answers 101 and splices the client connection to the upgraded upstream connection. */
    private void switchProtocols(HttpServerExchange server, Exchange exchange, Response response,
            org.xnio.StreamConnection upstream) {
        HeaderMap out = server.getResponseHeaders();
        Headers headers = response.headers();
        for (int i = 0; i < headers.size(); i++) {
            out.add(HeaderNames.of(headers.name(i)), headers.value(i));
        }
        out.put(io.undertow.util.Headers.UPGRADE, exchange.getOrNull(Tunnel.UPGRADE));
        ByteBufferPool buffers = server.getConnection().getByteBufferPool();
        java.time.Duration idle = exchange.get(EngineAttrs.TIMEOUTS).map(io.edgekit.core.Timeouts::idle)
                .orElse(java.time.Duration.ofSeconds(60));
        CallSweeper sweeper = transport.sweeper(server.getIoThread());
        server.upgradeChannel((client, ex) -> Tunnel.start(client, upstream, buffers, idle, sweeper));
        server.endExchange();
    }

    /** The upstream body, decoded as it streams when the decompression filter asked for it. */
    private static StreamSourceChannel decoded(HttpServerExchange server, Exchange exchange, StreamSourceChannel raw,
            byte[] prefix) {
        String coding = exchange.getOrNull(Decompression.STREAM_DECODING);
        PushBackStreamSourceConduit source = new PushBackStreamSourceConduit(new StreamSourceChannelWrappingConduit(raw));
        if (prefix != null) {
            source.pushBack(Http1Connection.unpooled(ByteBuffer.wrap(prefix)));
        }
        return new ConduitStreamSourceChannel(raw, coding.equals("gzip")
                ? new GzipStreamSourceConduit(server, source)
                : new InflatingStreamSourceConduit(server, source));
    }

    /** Compresses the response body as it streams: its length is known only at the end, so it is chunked. */
    private static void compressAsItStreams(HttpServerExchange server, String encoding) {
        server.addResponseWrapper(encoding.equals("gzip")
                ? (factory, ex) -> new GzipStreamSinkConduit(factory, ex)
                : (factory, ex) -> new DeflatingStreamSinkConduit(factory, ex, ZLIB_DEFLATER));
    }

    private static void closeQuietly(FileBody file) {
        IoUtils.safeClose(file.channel());
    }

    private static ChannelBody.Owner ownerOf(ChannelBody body) {
        ChannelBody.Owner owner = body.owner();
        return owner != null ? owner : NO_OWNER;
    }

    private static final ChannelBody.Owner NO_OWNER = new ChannelBody.Owner() {
        @Override
        public void bodyCompleted() {
        }

        @Override
        public void bodyFailed(Throwable cause) {
        }

        @Override
        public void bodyDiscarded() {
        }
    };

    /** What the edge keeps per client connection: its addresses (asked once) and the request in flight. */
    private static final class ConnectionSlot {
        final InetSocketAddress peer;
        final InetSocketAddress local;
        Flight flight;

        ConnectionSlot(InetSocketAddress peer, InetSocketAddress local) {
            this.peer = peer;
            this.local = local;
        }
    }

    /**
     * The connection's slot, made at its first request: kept on its head scanner when it has one (no map
     * lookup per request), else as a connection attachment.
     */
    private static ConnectionSlot slot(HttpServerExchange server, HeadScanConduit scanner) {
        ServerConnection connection = server.getConnection();
        ConnectionSlot slot = scanner != null ? (ConnectionSlot) scanner.connectionState
                : connection.getAttachment(SLOT);
        if (slot == null) {
            ConnectionSlot created = new ConnectionSlot(server.getSourceAddress(), server.getDestinationAddress());
            connection.addCloseListener(c -> {
                Flight current = created.flight;
                if (current != null) {
                    current.clientGone();
                }
            });
            if (scanner != null) {
                scanner.connectionState = created;
            } else {
                connection.putAttachment(SLOT, created);
            }
            slot = created;
        }
        return slot;
    }
}
