package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Route;
import io.edgekit.core.Upstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests that arrive on a connection while an earlier one waits for its upstream: pipelined in one
 * write, or sent a moment later. Reads are suspended lazily while a request is in flight, so these are the
 * cases where the suspension takes effect; each request is answered, in order, and the connection lives on.
 */
@Timeout(30)
class PipeliningIT {
    static TestBackend slow;
    static EdgeServer server;

    @BeforeAll
    static void start() {
        slow = TestBackend.start("slow", exchange -> {
            Thread.sleep(200);
            exchange.getResponseSender().send("answer " + exchange.getRequestPath());
        });
        Edge edge = Edge.builder().route(Route.named("r").path("/**")
                .to(Upstream.named("u").endpoint("127.0.0.1", slow.port()).build()).build()).build();
        server = EdgeServer.builder(edge).listen("127.0.0.1", 0).ioThreads(1).build().start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
        slow.close();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: e\r\n\r\n";
    }

    private static String readResponse(InputStream in) throws Exception {
        String head = RawHttp.readHead(in);
        int at = head.toLowerCase().indexOf("content-length:");
        int length = Integer.parseInt(head.substring(at + 15, head.indexOf('\r', at)).trim());
        return head.substring(0, head.indexOf('\r')) + " " + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Test
    void pipelinedAndLateRequestsAreAnsweredInOrder() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write((get("/one") + get("/two")).getBytes(StandardCharsets.US_ASCII)); // one write
            out.flush();
            Thread.sleep(50); // /one is now waiting for its upstream
            out.write(get("/three").getBytes(StandardCharsets.US_ASCII)); // arrives while it waits
            out.flush();
            assertEquals("HTTP/1.1 200 OK answer /one", readResponse(in));
            assertEquals("HTTP/1.1 200 OK answer /two", readResponse(in));
            assertEquals("HTTP/1.1 200 OK answer /three", readResponse(in));
            out.write(get("/four").getBytes(StandardCharsets.US_ASCII)); // the connection lives on
            out.flush();
            assertEquals("HTTP/1.1 200 OK answer /four", readResponse(in));
        }
    }

    @Test
    void aClientThatClosesWhileWaitingLeavesTheEdgeServing() throws Exception {
        for (int i = 0; i < 5; i++) {
            Socket gone = new Socket("127.0.0.1", server.port());
            gone.getOutputStream().write(get("/gone").getBytes(StandardCharsets.US_ASCII));
            gone.getOutputStream().flush();
            gone.close(); // its request is in flight; the end of its stream arrives while reads are suspended
        }
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(get("/after").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            assertTrue(readResponse(socket.getInputStream()).endsWith("answer /after"));
        }
    }
}
