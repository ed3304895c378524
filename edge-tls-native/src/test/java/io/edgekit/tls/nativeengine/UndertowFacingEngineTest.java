package io.edgekit.tls.nativeengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter's joining of buffers, between the BoringSSL server engine and the JDK's client engine in memory:
 * what fits one record goes out as one record, what does not is still carried whole and in order.
 */
@Timeout(60)
class UndertowFacingEngineTest {
    @TempDir
    Path dir;
    SSLEngine server;
    SSLEngine client;

    @BeforeEach
    void handshake() throws Exception {
        Assumptions.assumeTrue(BoringSslEngine.isAvailable(), "skipped: BoringSSL does not load on this machine");
        server = BoringSslEngine.engine().serverContext(keys()).createSSLEngine();
        server.setUseClientMode(false);
        client = BoringSslEngineIT.trustAll().createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        client.setEnabledProtocols(new String[] {"TLSv1.2"}); // no tickets after the handshake: records are data only
        ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
        client.beginHandshake();
        server.beginHandshake();
        for (int i = 0; i < 100 && !(done(client) && done(server)); i++) {
            step(client, toClient, toServer);
            step(server, toServer, toClient);
        }
        assertTrue(done(client) && done(server), "handshake finished");
        assertEquals(0, toServer.position());
        assertEquals(0, toClient.position());
    }

    @Test
    void parametersThatChangeMoreThanTheApplicationProtocolsAreApplied() throws Exception {
        SSLEngine fresh = BoringSslEngine.engine().serverContext(keys()).createSSLEngine();
        javax.net.ssl.SSLParameters alpnOnly = fresh.getSSLParameters();
        alpnOnly.setApplicationProtocols(new String[] {"h2", "http/1.1"}); // as Undertow's ALPN support does
        fresh.setSSLParameters(alpnOnly);
        assertTrue(java.util.Arrays.asList(fresh.getEnabledProtocols()).contains("TLSv1.3"));
        javax.net.ssl.SSLParameters narrowed = fresh.getSSLParameters();
        narrowed.setProtocols(new String[] {"TLSv1.2"});
        narrowed.setApplicationProtocols(new String[] {"http/1.1"});
        fresh.setSSLParameters(narrowed);
        assertFalse(java.util.Arrays.asList(fresh.getEnabledProtocols()).contains("TLSv1.3"), "narrowed to TLS 1.2");
        assertTrue(java.util.Arrays.asList(fresh.getEnabledProtocols()).contains("TLSv1.2"));
        javax.net.ssl.SSLParameters clientAuth = fresh.getSSLParameters();
        clientAuth.setNeedClientAuth(true);
        fresh.setSSLParameters(clientAuth);
        assertTrue(fresh.getNeedClientAuth());
    }

    @Test
    void aHeadAndABodyThatFitOneRecordGoOutAsOneRecord() throws Exception {
        ByteBuffer head = direct("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        ByteBuffer body = direct("hello");
        ByteBuffer out = ByteBuffer.allocate(1 << 17);
        SSLEngineResult result = server.wrap(new ByteBuffer[] {ByteBuffer.allocate(0), head, body}, out);
        assertEquals(SSLEngineResult.Status.OK, result.getStatus());
        assertEquals(43, result.bytesConsumed());
        assertFalse(head.hasRemaining() || body.hasRemaining(), "both buffers consumed");
        out.flip();
        assertEquals(1, records(out), "one record");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", read(out));
    }

    @Test
    void buffersPastOneRecordAreCarriedWholeAndInOrder() throws Exception {
        ByteBuffer head = direct("HTTP/1.1 200 OK\r\n\r\n");
        ByteBuffer body = direct("b".repeat(20_000));
        ByteBuffer tail = direct("end");
        ByteBuffer[] srcs = {head, body, tail};
        ByteBuffer out = ByteBuffer.allocate(1 << 17);
        for (int i = 0; i < 10 && (head.hasRemaining() || body.hasRemaining() || tail.hasRemaining()); i++) {
            assertEquals(SSLEngineResult.Status.OK, server.wrap(srcs, out).getStatus());
        }
        assertFalse(head.hasRemaining() || body.hasRemaining() || tail.hasRemaining(), "everything consumed");
        out.flip();
        assertEquals("HTTP/1.1 200 OK\r\n\r\n" + "b".repeat(20_000) + "end", read(out));
    }

    @Test
    void aDestinationTooSmallConsumesNothing() throws Exception {
        ByteBuffer head = direct("HTTP/1.1 200 OK\r\n\r\n");
        ByteBuffer body = direct("hello");
        SSLEngineResult result = server.wrap(new ByteBuffer[] {head, body}, ByteBuffer.allocate(8));
        assertEquals(SSLEngineResult.Status.BUFFER_OVERFLOW, result.getStatus());
        assertEquals(0, result.bytesConsumed());
        assertEquals(19, head.remaining());
        assertEquals(5, body.remaining());
    }

    private String read(ByteBuffer records) throws Exception {
        ByteBuffer plain = ByteBuffer.allocate(1 << 17);
        while (records.hasRemaining()) {
            assertEquals(SSLEngineResult.Status.OK, client.unwrap(records, plain).getStatus());
        }
        plain.flip();
        return StandardCharsets.UTF_8.decode(plain).toString();
    }

    private static int records(ByteBuffer out) {
        int count = 0;
        for (int at = out.position(); at + 5 <= out.limit(); count++) {
            assertEquals(23, out.get(at), "application data");
            at += 5 + (((out.get(at + 3) & 0xff) << 8) | (out.get(at + 4) & 0xff));
        }
        return count;
    }

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    private static boolean done(SSLEngine engine) {
        SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
        return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || status == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    private static void step(SSLEngine engine, ByteBuffer in, ByteBuffer out) throws Exception {
        switch (engine.getHandshakeStatus()) {
            case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                in.flip();
                engine.unwrap(in, ByteBuffer.allocate(1 << 17));
                in.compact();
            }
            case NEED_TASK -> {
                for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                    task.run();
                }
            }
            default -> {
            }
        }
    }

    private X509ExtendedKeyManager keys() throws Exception {
        Path store = dir.resolve("localhost-" + System.nanoTime() + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "localhost", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-keypass", "changeit").redirectErrorStream(true).start();
        assertTrue(keytool.waitFor(30, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool made a key");
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance("SunX509");
        factory.init(keyStore, "changeit".toCharArray());
        return (X509ExtendedKeyManager) factory.getKeyManagers()[0];
    }
}
