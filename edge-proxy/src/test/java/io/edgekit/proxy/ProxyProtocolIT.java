package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.Edge;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.TrustedProxies;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PROXY protocol v1 and v2 from a trusted load balancer; untrusted peers are refused. */
@Timeout(30)
class ProxyProtocolIT {

    private static EdgeServer edge(TrustedProxies trusted) {
        Edge edge = Edge.builder().trustedProxies(trusted).route(Route.named("r").path("/**")
                .to((ex, r) -> Response.of(200, "text/plain", "client=" + ex.clientIp() + " xff="
                        + r.headers().firstOrNull("x-forwarded-for")).completed()).build()).build();
        return EdgeServer.builder(edge).listenWithProxyProtocol("127.0.0.1", 0).build().start();
    }

    private static String send(int port, byte[] preamble) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            try {
                socket.getOutputStream().write(preamble);
                socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            } catch (java.io.IOException e) {
                return ""; // closed by the edge before we finished writing
            }
            return RawHttp.readAll(socket.getInputStream());
        }
    }

    @Test
    void version1GivesTheClientAddress() throws Exception {
        EdgeServer server = edge(TrustedProxies.of("127.0.0.1/32"));
        try {
            String answer = send(server.port(), "PROXY TCP4 198.51.100.7 10.0.0.1 40000 80\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.endsWith("client=198.51.100.7 xff=198.51.100.7"), answer);
        } finally {
            server.shutdown(Duration.ofMillis(200));
        }
    }

    @Test
    void version2GivesTheClientAddress() throws Exception {
        EdgeServer server = edge(TrustedProxies.of("127.0.0.1/32"));
        try {
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            header.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
            header.write(0x21); // version 2, PROXY
            header.write(0x11); // TCP over IPv4
            header.writeBytes(new byte[] {0, 12});
            header.writeBytes(new byte[] {(byte) 203, 0, 113, 10}); // source 203.0.113.10 (0x0A then 0x20 below)
            header.writeBytes(new byte[] {10, 32, 0, 1}); // destination 10.32.0.1
            header.writeBytes(new byte[] {(byte) 0x9c, 0x40, 0, 80});
            String answer = send(server.port(), header.toByteArray());
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.endsWith("client=203.0.113.10 xff=203.0.113.10"), answer);
        } finally {
            server.shutdown(Duration.ofMillis(200));
        }
    }

    @Test
    void untrustedPeersAreRefused() throws Exception {
        EdgeServer server = edge(TrustedProxies.of("10.0.0.0/8"));
        try {
            String answer = send(server.port(), "PROXY TCP4 1.2.3.4 10.0.0.1 40000 80\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals("", answer, "the connection is closed without an answer");
        } finally {
            server.shutdown(Duration.ofMillis(200));
        }
    }

    /** The per-client limit counts the client the PROXY header names, not the load balancer. */
    @Test
    void perClientLimitAppliesToTheClientBehindTheProxy() throws Exception {
        Edge edge = Edge.builder().trustedProxies(TrustedProxies.of("127.0.0.1/32")).route(Route.named("r")
                .path("/**").to((ex, r) -> Response.of(200, "text/plain", "ok").completed()).build()).build();
        EdgeServer server = EdgeServer.builder(edge).listenWithProxyProtocol("127.0.0.1", 0)
                .maxConnectionsPerClient(2).build().start();
        java.util.List<Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.setSoTimeout(5000);
                socket.getOutputStream().write(("PROXY TCP4 198.51.100.7 10.0.0.1 4000" + i + " 80\r\n"
                        + "GET /x HTTP/1.1\r\nHost: e\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                assertTrue(RawHttp.readHead(socket.getInputStream()).startsWith("HTTP/1.1 200"));
                held.add(socket); // kept open: the client now has two connections
            }
            String third = send(server.port(), "PROXY TCP4 198.51.100.7 10.0.0.1 40009 80\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(third.startsWith("HTTP/1.1 429"), third);
            assertTrue(third.contains("application/problem+json"), third);
            String other = send(server.port(), "PROXY TCP4 198.51.100.8 10.0.0.1 40000 80\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(other.startsWith("HTTP/1.1 200"), "another client behind the same proxy: " + other);
            held.remove(0).close();
            // the edge counts the close when it sees it
            Await.untilHolds("a closed connection frees its place", Duration.ofSeconds(5),
                    () -> send(server.port(), "PROXY TCP4 198.51.100.7 10.0.0.1 40010 80\r\n"
                            .getBytes(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200"));
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
            server.shutdown(Duration.ofMillis(200));
        }
    }
}
