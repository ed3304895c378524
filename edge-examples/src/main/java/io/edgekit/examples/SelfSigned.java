package io.edgekit.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A self-signed certificate for the demo, made at start with the JDK's keytool: no key ships with it. */
final class SelfSigned {
    static final char[] PASSWORD = "edgekit-demo".toCharArray();

    private SelfSigned() {
    }

    /** A fresh PKCS#12 keystore for {@code localhost} and {@code host}, deleted when the JVM exits. */
    static Path keyStore(String host) {
        try {
            Path dir = Files.createTempDirectory("edgekit-demo-tls");
            dir.toFile().deleteOnExit(); // before the store: deleted in reverse order, the store goes first
            Path store = dir.resolve("demo.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            String san = "dns:localhost,ip:127.0.0.1" + (host.matches("[0-9.]+") && !host.equals("127.0.0.1")
                    ? ",ip:" + host : "");
            Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "demo", "-keyalg", "EC",
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
            throw new UncheckedIOException("cannot make the demo certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the demo certificate", e);
        }
    }
}
