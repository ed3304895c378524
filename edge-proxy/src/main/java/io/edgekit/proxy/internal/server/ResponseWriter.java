package io.edgekit.proxy.internal.server;

import io.edgekit.core.Body;
import io.edgekit.core.EdgeRuntime;
import io.edgekit.core.Exchange;
import io.edgekit.core.Headers;
import io.edgekit.core.Response;
import io.edgekit.core.Ticker;
import io.edgekit.core.Timeouts;
import io.edgekit.core.internal.BytesBody;
import io.edgekit.core.internal.EngineAttrs;
import io.edgekit.core.internal.HopByHop;
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
import io.edgekit.proxy.internal.io.IoThreads;
import io.edgekit.proxy.internal.upstream.Http1Connection;
import io.edgekit.proxy.internal.upstream.Tunnel;
import io.edgekit.proxy.internal.upstream.UpstreamCall;
import io.undertow.conduits.DeflatingStreamSinkConduit;
import io.undertow.conduits.GzipStreamSinkConduit;
import io.undertow.conduits.GzipStreamSourceConduit;
import io.undertow.conduits.InflatingStreamSourceConduit;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import io.undertow.util.ObjectPool;
import io.undertow.util.PooledObject;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.zip.Deflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.PushBackStreamSourceConduit;
import org.xnio.conduits.StreamSourceChannelWrappingConduit;

/**
 * The response side of the listener: writes the engine's response to Undertow's exchange (streaming an
 * upstream body straight from the upstream connection, in-memory and file bodies, compression as it
 * streams, a protocol switch) and reports to the exchange's listener how it ended.
 */
final class ResponseWriter {
    private static final Logger logger = LoggerFactory.getLogger(EdgeHttpHandler.class);
    private static final HttpString CACHE_STATUS = HttpString.tryFromString("Cache-Status");

    private final EdgeRuntime runtime;
    private final Ticker ticker;
    private final UndertowTransport transport;

    ResponseWriter(EdgeRuntime runtime, Ticker ticker, UndertowTransport transport) {
        this.runtime = runtime;
        this.ticker = ticker;
        this.transport = transport;
    }

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

    /** Tells the exchange's listener how it ended, once. */
    void report(HttpServerExchange server, Exchange exchange, Flight flight) {
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

    void write(HttpServerExchange server, Exchange exchange, Flight flight, Response response,
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
            CutResponses.abort(server);
            return;
        }
        flight.headNanos = ticker.nanos();
        runtime.responseHeadWritten(exchange, response.status());
        if (response.status() == 101 && call != null && call.upgradedConnection() != null) {
            switchProtocols(server, exchange, response, call.upgradedConnection());
            return;
        }
        server.setStatusCode(response.status());
        Runnable end = server::endExchange;
        if (!server.isRequestComplete()) {
            // answered while the body is still unread (a refusal, a stalled body): close after the answer
            // rather than wait for the rest, so a slow or stopped client holds nothing; a client still
            // sending is read to the end of its upload first (bounded), so the close does not reset the answer
            server.setPersistent(false);
            if (response.status() != 408) {
                end = () -> Lingering.dropBodyThenEnd(server);
            }
        }
        Runnable endExchange = end;
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
                CutResponses.frameUnknownLength(server, out);
            } else if (length >= 0 && !decoding && !head && !bodiless) {
                out.put(io.undertow.util.Headers.CONTENT_LENGTH, length);
            } else if (!head && !bodiless) {
                CutResponses.frameUnknownLength(server, out);
            }
            if (call != null) {
                call.onStreamAbort(() -> CutResponses.abort(server));
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
                            CutResponses.abort(server);
                        }
                    }, prefix);
            flight.pump.start();
            return;
        }
        if (body instanceof FileBody file) {
            String encoding = exchange.getOrNull(Compression.STREAM_ENCODING);
            if (encoding != null) {
                compressAsItStreams(server, encoding);
                if (!head && !bodiless) {
                    CutResponses.frameUnknownLength(server, out);
                }
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
                    CutResponses.abort(server);
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
                    endExchange.run();
                    return;
                }
                flight.bytesOut = data.length; // Undertow may end the exchange as the last byte goes out
                BytesWriter.write(server.getResponseChannel(), data, Activity.NONE, new ChannelPump.Callback() {
                    @Override
                    public void completed(long written) {
                        endExchange.run();
                    }

                    @Override
                    public void failed(Throwable cause, boolean readSide) {
                        flight.failure = cause;
                        CutResponses.abort(server);
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
}
