package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Decision;
import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Timeouts;
import io.edgekit.core.Upstream;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** WebSocket upgrades proxied to the upstream, with the JDK's WebSocket client through the edge. */
@Timeout(30)
class WebSocketIT {
    static Undertow upstream;
    static EdgeServer server;

    @BeforeAll
    static void start() {
        upstream = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(Handlers.websocket((exchange, channel) -> {
                    channel.getReceiveSetter().set(new AbstractReceiveListener() {
                        @Override
                        protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                            WebSockets.sendText("echo: " + message.getData() + " (via "
                                    + exchange.getRequestHeader("x-forwarded-for") + ")", ch, null);
                        }
                    });
                    channel.resumeReceives();
                })).build();
        upstream.start();
        int port = ((InetSocketAddress) upstream.getListenerInfo().get(0).getAddress()).getPort();
        Upstream ws = Upstream.named("ws").endpoint("127.0.0.1", port).build();
        Edge edge = Edge.builder()
                .route(Route.named("chat").path("/chat").to(ws).build())
                .route(Route.named("quiet").path("/quiet").timeouts(Timeouts.DEFAULT.withIdle(Duration.ofMillis(500)))
                        .to(ws).build())
                .route(Route.named("closed").path("/closed").policy((ex, r) -> CompletableFuture.completedFuture(
                        Decision.deny(403, "Forbidden", "no chat for you"))).to(ws).build())
                .build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        upstream.stop();
    }

    /** Collects text messages and the close. */
    static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            messages.add(data.toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }

    private static WebSocket connect(String path, Collector collector) {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + path), collector).join();
    }

    @Test
    void messagesFlowBothWaysUntilClose() throws Exception {
        Collector collector = new Collector();
        WebSocket socket = connect("/chat", collector);
        socket.sendText("hello", true).join();
        assertEquals("echo: hello (via 127.0.0.1)", collector.messages.poll(5, TimeUnit.SECONDS));
        socket.sendText("again", true).join();
        assertEquals("echo: again (via 127.0.0.1)", collector.messages.poll(5, TimeUnit.SECONDS));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        assertEquals(WebSocket.NORMAL_CLOSURE, collector.closed.get(5, TimeUnit.SECONDS));
    }

    @Test
    void idleTunnelsAreClosed() throws Exception {
        Collector collector = new Collector();
        connect("/quiet", collector);
        long start = System.nanoTime();
        collector.closed.get(5, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 3000, "closed after " + millis + " ms idle");
    }

    @Test
    void policiesApplyToUpgrades() {
        CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> connect("/closed", new Collector()));
        assertTrue(refused.getCause() instanceof WebSocketHandshakeException, refused.toString());
        assertEquals(403, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
    }
}
