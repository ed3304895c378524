package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.UndertowClient;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpAttachments;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StringReadChannelListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xnio.OptionMap;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * gRPC-style passthrough: HTTP/2 from the client to the edge and from the edge to the upstream, with
 * {@code TE: trailers} and the upstream's trailers (the gRPC status) reaching the client. The client is
 * Undertow's own HTTP/2 client, which exposes trailers.
 */
@Timeout(30)
class Http2UpstreamIT {
    static Undertow upstream;
    static EdgeServer server;
    static XnioWorker worker;

    @BeforeAll
    static void start() throws Exception {
        upstream = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .setHandler(exchange -> {
                    String seen = exchange.getProtocol() + " te=" + exchange.getRequestHeaders().getFirst(Headers.TE);
                    exchange.getRequestReceiver().receiveFullString((ex, body) -> {
                        HeaderMap trailers = new HeaderMap();
                        trailers.put(HttpString.tryFromString("grpc-status"), "0");
                        trailers.put(HttpString.tryFromString("grpc-message"), "echoed");
                        ex.putAttachment(HttpAttachments.RESPONSE_TRAILERS, trailers);
                        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/grpc");
                        ex.getResponseSender().send(seen + " body=" + body);
                    });
                }).build();
        upstream.start();
        int port = ((InetSocketAddress) upstream.getListenerInfo().get(0).getAddress()).getPort();
        Edge edge = Edge.builder().route(Route.named("grpc").path("/**")
                // by name: the h2c connection is made to the address a resolver thread looked up
                .to(Upstream.named("grpc").endpoint("localhost", port).http2(true).build()).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).http2Cleartext(true).build().start();
        worker = Xnio.getInstance().createWorker(OptionMap.EMPTY);
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        upstream.stop();
        worker.shutdownNow();
    }

    /** What the client received: status, body, trailers. */
    record Answer(int status, String body, HeaderMap trailers) {
    }

    private static Answer call(String path, String body) throws Exception {
        ClientConnection connection = UndertowClient.getInstance().connect(
                URI.create("h2c-prior://127.0.0.1:" + server.port()), worker,
                new DefaultByteBufferPool(false, 8192), OptionMap.EMPTY).get();
        try {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            ClientRequest request = new ClientRequest().setMethod(Methods.POST).setPath(path);
            request.getRequestHeaders().put(Headers.HOST, "edge");
            request.getRequestHeaders().put(Headers.CONTENT_TYPE, "application/grpc");
            request.getRequestHeaders().put(Headers.TE, "trailers");
            request.getRequestHeaders().put(Headers.CONTENT_LENGTH, body.length());
            connection.getIoThread().execute(() -> connection.sendRequest(request, new ClientCallback<>() {
                @Override
                public void completed(ClientExchange exchange) {
                    exchange.setResponseListener(new ClientCallback<>() {
                        @Override
                        public void completed(ClientExchange result) {
                            new StringReadChannelListener(result.getConnection().getBufferPool()) {
                                @Override
                                protected void stringDone(String text) {
                                    answer.complete(new Answer(result.getResponse().getResponseCode(), text,
                                            result.getAttachment(HttpAttachments.REQUEST_TRAILERS)));
                                }

                                @Override
                                protected void error(IOException e) {
                                    answer.completeExceptionally(e);
                                }
                            }.setup(result.getResponseChannel());
                        }

                        @Override
                        public void failed(IOException e) {
                            answer.completeExceptionally(e);
                        }
                    });
                    try {
                        exchange.getRequestChannel().write(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
                        exchange.getRequestChannel().shutdownWrites();
                        exchange.getRequestChannel().flush();
                    } catch (IOException e) {
                        answer.completeExceptionally(e);
                    }
                }

                @Override
                public void failed(IOException e) {
                    answer.completeExceptionally(e);
                }
            }));
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            connection.close();
        }
    }

    @Test
    void http2EndToEndWithTrailers() throws Exception {
        Answer answer = call("/echo.Echo/Say", "ping");
        assertEquals(200, answer.status());
        assertEquals("HTTP/2.0 te=trailers body=ping", answer.body());
        assertEquals("0", answer.trailers() == null ? null : answer.trailers().getFirst("grpc-status"));
        assertEquals("echoed", answer.trailers().getFirst("grpc-message"));
    }
}
