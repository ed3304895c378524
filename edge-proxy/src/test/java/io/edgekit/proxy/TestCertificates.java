package io.edgekit.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Keys and self-signed certificates made at test time with the JDK's keytool: no key is committed. */
final class TestCertificates {
    static final char[] PASSWORD = "changeit".toCharArray();

    private TestCertificates() {
    }

    /** A PKCS#12 keystore with one EC key and a certificate for {@code cn} and the given SANs. */
    static Path keyStore(Path dir, String name, String cn, String san) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Files.deleteIfExists(store);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + cn, "-ext", "SAN=" + san, "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD),
                "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return store;
    }

    /** Writes the keystore's chain and key as PEM files {@code name.crt} and {@code name.key}. */
    static Path[] pem(Path keyStore, Path dir, String name) throws Exception {
        KeyStore store = load(keyStore);
        String alias = store.aliases().nextElement();
        PrivateKey key = (PrivateKey) store.getKey(alias, PASSWORD);
        X509Certificate certificate = (X509Certificate) store.getCertificate(alias);
        Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        Path crt = dir.resolve(name + ".crt");
        Path pem = dir.resolve(name + ".key");
        Path crtTmp = dir.resolve(name + ".crt.tmp");
        Path pemTmp = dir.resolve(name + ".key.tmp");
        Files.writeString(crtTmp, "-----BEGIN CERTIFICATE-----\n" + base64.encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Files.writeString(pemTmp, "-----BEGIN PRIVATE KEY-----\n" + base64.encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Files.move(pemTmp, pem, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(crtTmp, crt, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new Path[] {crt, pem};
    }

    static KeyStore load(Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD);
        }
        return store;
    }

    /** A client context that trusts exactly the certificates in {@code keyStores}. */
    static SSLContext trusting(List<Path> keyStores) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Path path : keyStores) {
            KeyStore store = load(path);
            trust.setCertificateEntry("c" + i++, store.getCertificate(store.aliases().nextElement()));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
