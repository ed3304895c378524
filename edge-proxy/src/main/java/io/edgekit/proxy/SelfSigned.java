package io.edgekit.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A self-signed certificate made at start with the JDK's keytool, for demos and benchmarks (no key ships
 * with the edge): see {@link TlsConfig.Builder#selfSigned}.
 */
final class SelfSigned {
    static final char[] PASSWORD = "edgekit-self-signed".toCharArray();

    private SelfSigned() {
    }

    /** A fresh PKCS#12 keystore for {@code localhost} and {@code host}, deleted when the JVM exits. */
    static Path keyStore(String host) {
        try {
            Path dir = Files.createTempDirectory("edgekit-self-signed");
            dir.toFile().deleteOnExit(); // before the store: deleted in reverse order, the store goes first
            Path store = dir.resolve("self-signed.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            String san = "dns:localhost,ip:127.0.0.1" + (host.matches("[0-9.]+") && !host.equals("127.0.0.1")
                    ? ",ip:" + host : "");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "edge", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=" + san, "-validity", "30",
                    "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD),
                    "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IOException("keytool failed: " + output);
            }
            store.toFile().deleteOnExit();
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a self-signed certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making a self-signed certificate", e);
        }
    }
}
