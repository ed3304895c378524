package io.edgekit.proxy.internal.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the certificate of each handshake by SNI: an exact name, then the longest {@code *.suffix},
 * then the default. The key material sits behind one atomic reference, so {@link #reloadIfChanged()}
 * swaps it for new handshakes while open connections keep theirs. Thread-safe.
 */
public final class SniKeyManager extends X509ExtendedKeyManager {
    private static final Logger logger = LoggerFactory.getLogger(SniKeyManager.class);

    /** Where one certificate comes from. */
    public record Source(String serverName, Path chain, Path key, Path pkcs12, char[] password) {
        public static Source pem(String serverName, Path chain, Path key) {
            return new Source(serverName.toLowerCase(Locale.ROOT), chain, key, null, null);
        }

        public static Source pkcs12(String serverName, Path pkcs12, char[] password) {
            return new Source(serverName.toLowerCase(Locale.ROOT), null, null, pkcs12, password);
        }

        long lastModified() {
            try {
                if (pkcs12 != null) {
                    return Files.getLastModifiedTime(pkcs12).toMillis();
                }
                return Math.max(Files.getLastModifiedTime(chain).toMillis(), Files.getLastModifiedTime(key).toMillis());
            } catch (IOException e) {
                return -1;
            }
        }
    }

    private record Loaded(PrivateKey key, X509Certificate[] chain, long modified) {
    }

    private final List<Source> sources;
    /** The material in force, by server name. */
    private final AtomicReference<Map<String, Loaded>> loaded = new AtomicReference<>();
    /**
     * Material by the alias a handshake was given ({@code name#generation}), for this generation and the
     * one before: a handshake that chose its alias just before a reload still finds a matching key and chain.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Loaded> byAlias =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long generation;

    public SniKeyManager(List<Source> sources) {
        this.sources = List.copyOf(sources);
        Map<String, Loaded> initial = new LinkedHashMap<>();
        for (Source source : sources) {
            try {
                initial.put(source.serverName(), load(source));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("tls: cannot load the certificate for '" + source.serverName()
                        + "': " + e.getMessage(), e);
            }
        }
        if (!initial.containsKey("*")) {
            Map.Entry<String, Loaded> first = initial.entrySet().iterator().next();
            initial.put("*", first.getValue()); // the first certificate is the default when none is named
        }
        publish(Map.copyOf(initial));
    }

    private synchronized void publish(Map<String, Loaded> material) {
        long next = generation + 1;
        String stale = "#" + (next - 2);
        byAlias.keySet().removeIf(alias -> alias.endsWith(stale));
        material.forEach((name, value) -> byAlias.put(name + "#" + next, value));
        loaded.set(material);
        generation = next;
    }

    /** Reloads the sources whose files changed; keeps the last good material when a reload fails. */
    public void reloadIfChanged() {
        Map<String, Loaded> current = loaded.get();
        Map<String, Loaded> next = new LinkedHashMap<>(current);
        boolean changed = false;
        for (Source source : sources) {
            Loaded previous = current.get(source.serverName());
            long modified = source.lastModified();
            if (previous != null && modified == previous.modified()) {
                continue;
            }
            try {
                Loaded fresh = load(source);
                next.put(source.serverName(), fresh);
                if (source.serverName().equals(sources.get(0).serverName()) && !hasNamedDefault()) {
                    next.put("*", fresh);
                }
                changed = true;
                logger.info("tls: reloaded the certificate for '{}'", source.serverName());
            } catch (IOException | GeneralSecurityException e) {
                logger.warn("tls: reloading the certificate for '{}' failed, keeping the previous one: {}",
                        source.serverName(), e.getMessage());
            }
        }
        if (changed) {
            publish(Map.copyOf(next));
        }
    }

    private boolean hasNamedDefault() {
        for (Source source : sources) {
            if (source.serverName().equals("*")) {
                return true;
            }
        }
        return false;
    }

    private static Loaded load(Source source) throws IOException, GeneralSecurityException {
        long modified = source.lastModified();
        if (source.pkcs12() != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(source.pkcs12())) {
                store.load(in, source.password());
            }
            for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements();) {
                String alias = aliases.nextElement();
                if (store.isKeyEntry(alias)) {
                    PrivateKey key = (PrivateKey) store.getKey(alias, source.password());
                    Certificate[] chain = store.getCertificateChain(alias);
                    X509Certificate[] x509 = new X509Certificate[chain.length];
                    for (int i = 0; i < chain.length; i++) {
                        x509[i] = (X509Certificate) chain[i];
                    }
                    return new Loaded(key, x509, modified);
                }
            }
            throw new GeneralSecurityException("no private key entry in " + source.pkcs12().getFileName());
        }
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        try (InputStream in = Files.newInputStream(source.chain())) {
            for (Certificate certificate : factory.generateCertificates(in)) {
                chain.add((X509Certificate) certificate);
            }
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + source.chain().getFileName());
        }
        String pem = Files.readString(source.key(), StandardCharsets.US_ASCII);
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new GeneralSecurityException(source.key().getFileName() + " is not a PKCS#8 PEM private key");
        }
        String base64 = pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27, pem.indexOf("-----END PRIVATE KEY-----"))
                .replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        String algorithm = chain.get(0).getPublicKey().getAlgorithm();
        PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        return new Loaded(key, chain.toArray(new X509Certificate[0]), modified);
    }

    /** The alias (server name key) for a handshake's SNI. */
    private String select(List<SNIServerName> names) {
        Map<String, Loaded> current = loaded.get();
        String best = "*";
        int bestLength = -1;
        if (names != null) {
            for (SNIServerName name : names) {
                if (!(name instanceof SNIHostName host)) {
                    continue;
                }
                String requested = host.getAsciiName().toLowerCase(Locale.ROOT);
                if (current.containsKey(requested)) {
                    return requested;
                }
                for (String candidate : current.keySet()) {
                    if (candidate.startsWith("*.") && requested.endsWith(candidate.substring(1))
                            && requested.length() > candidate.length() - 1 && candidate.length() > bestLength) {
                        best = candidate;
                        bestLength = candidate.length();
                    }
                }
            }
        }
        return best;
    }

    private static List<SNIServerName> requestedNames(SSLEngine engine) {
        if (engine != null && engine.getHandshakeSession() instanceof ExtendedSSLSession session) {
            return session.getRequestedServerNames();
        }
        return List.of();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        long current = generation;
        String name = select(requestedNames(engine));
        Loaded material = byAlias.get(name + "#" + current);
        return material != null && material.key().getAlgorithm().equals(keyType) ? name + "#" + current : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return chooseEngineServerAlias(keyType, issuers, null);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Loaded material = byAlias.get(alias);
        return material == null ? null : material.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Loaded material = byAlias.get(alias);
        return material == null ? null : material.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return byAlias.keySet().toArray(new String[0]);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[0];
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
