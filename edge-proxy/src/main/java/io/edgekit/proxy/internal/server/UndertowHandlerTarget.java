package io.edgekit.proxy.internal.server;

import io.edgekit.core.Body;
import io.edgekit.core.Exchange;
import io.edgekit.core.Handler;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.proxy.internal.io.HeaderNames;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Methods;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an Undertow handler on the client's exchange. See {@code UndertowTargets.handler}. */
public final class UndertowHandlerTarget implements Handler {
    private static final Logger logger = LoggerFactory.getLogger(UndertowHandlerTarget.class);

    private final HttpHandler handler;

    public UndertowHandlerTarget(HttpHandler handler) {
        this.handler = handler;
    }

    @Override
    public String name() {
        return "undertow " + handler.getClass().getSimpleName();
    }

    @Override
    public CompletionStage<Response> handle(Exchange exchange, Request request) {
        Flight flight = exchange.getOrNull(Flight.KEY);
        if (flight == null) {
            return Response.problem(500, "Internal Server Error",
                    "an Undertow handler target needs the edge to run on Undertow").completed();
        }
        HttpServerExchange server = flight.server;
        if (server.isResponseStarted()) {
            return Response.problem(500, "Internal Server Error", "the response already started").completed();
        }
        apply(request, server);
        CompletableFuture<Response> answered = new CompletableFuture<>();
        server.addExchangeCompleteListener((done, next) -> {
            answered.complete(Response.of(done.getStatusCode(), headers(done.getResponseHeaders()),
                    SentBody.INSTANCE));
            next.proceed();
        });
        flight.handedToUndertow = true;
        try {
            handler.handleRequest(server);
        } catch (Exception e) {
            logger.error("request {}: Undertow handler target failed", exchange.requestId(), e);
            if (!server.isResponseStarted()) {
                server.setStatusCode(500);
                server.endExchange();
            } else {
                org.xnio.IoUtils.safeClose(server.getConnection());
            }
        }
        return answered;
    }

    private static void apply(Request request, HttpServerExchange server) {
        server.setRequestMethod(Methods.fromString(request.method()));
        server.setRequestPath(request.path());
        server.setRelativePath(request.path());
        server.setRequestURI(request.path());
        server.setQueryString(request.query());
        HeaderMap headers = server.getRequestHeaders();
        headers.clear();
        Headers source = request.headers();
        for (int i = 0; i < source.size(); i++) {
            headers.add(HeaderNames.of(source.name(i)), source.value(i));
        }
        if (!request.authority().isEmpty()) {
            headers.put(io.undertow.util.Headers.HOST, request.authority());
        }
        long length = request.body().length();
        if (length > 0) {
            headers.put(io.undertow.util.Headers.CONTENT_LENGTH, length);
        } else if (length < 0) {
            headers.put(io.undertow.util.Headers.TRANSFER_ENCODING, "chunked");
        }
    }

    private static Headers headers(HeaderMap map) {
        Headers.Builder headers = Headers.builder(map.size());
        for (HeaderValues values : map) {
            for (int i = 0; i < values.size(); i++) {
                headers.add(values.getHeaderName().toString(), values.get(i));
            }
        }
        return headers.build();
    }

    /** The body of a response an Undertow handler already sent: nothing is left to write. */
    static final class SentBody implements Body {
        static final SentBody INSTANCE = new SentBody();

        @Override
        public long length() {
            return 0;
        }

        @Override
        public CompletionStage<byte[]> aggregate(long maxBytes) {
            return CompletableFuture.completedFuture(new byte[0]);
        }

        @Override
        public String toString() {
            return "Body[sent by an Undertow handler]";
        }
    }
}
