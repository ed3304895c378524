package io.edgekit.proxy;

import static java.util.Objects.requireNonNull;

import io.edgekit.proxy.internal.server.SniKeyManager;
import io.edgekit.proxy.internal.server.UndertowRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The certificates and protocols of a TLS listener: one default certificate and any number chosen by
 * SNI (exact names or {@code *.suffix}), each from PEM files (certificate chain and PKCS#8 key) or a
 * PKCS#12 keystore. TLS 1.3 and 1.2 only by default; ALPN offers {@code h2} and {@code http/1.1}. With
 * {@link Builder#reloadEvery}, changed files are picked up by new handshakes, without a restart and
 * without touching open connections. Immutable.
 */
public final class TlsConfig {
    final List<SniKeyManager.Source> sources;
    final List<String> protocols;
    final List<String> cipherSuites;
    final Duration reloadEvery;
    final boolean http2;
    final TlsEngine engine;
    final Duration sessionTimeout;
    final int sessionCacheSize;

    private TlsConfig(Builder b) {
        this.engine = b.engine;
        this.sessionTimeout = b.sessionTimeout;
        this.sessionCacheSize = b.sessionCacheSize;
        this.sources = List.copyOf(b.sources);
        this.protocols = List.copyOf(b.protocols);
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.reloadEvery = b.reloadEvery;
        this.http2 = b.http2;
    }

    /** The settings the runtime binds a TLS listener with. */
    UndertowRuntime.TlsSettings settings() {
        return new UndertowRuntime.TlsSettings(sources, protocols, cipherSuites, reloadEvery, http2,
                engine::serverContext, (int) sessionTimeout.toSeconds(), sessionCacheSize);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TlsConfig}. List setters append. */
    public static final class Builder {
        private final List<SniKeyManager.Source> sources = new ArrayList<>();
        private final List<String> protocols = new ArrayList<>();
        private final List<String> cipherSuites = new ArrayList<>();
        private Duration reloadEvery = Duration.ZERO;
        private boolean http2 = true;
        private TlsEngine engine = TlsEngine.JDK;
        private Duration sessionTimeout = Duration.ofMinutes(5);
        private int sessionCacheSize = 20_000;

        /** The TLS implementation ({@link TlsEngine#JDK} by default). */
        public Builder engine(TlsEngine engine) {
            this.engine = requireNonNull(engine, "engine");
            return this;
        }

        /**
         * How long a TLS session may be resumed, from the session cache or by a session ticket (5 minutes, as
         * NGINX's; the JDK's own default is a day). With {@link TlsEngine#JDK} on JDK 17, the JDK issues the
         * tickets (its key replaced every {@code jdk.tls.server.statelessKeyTimeout}, an hour by default) and
         * accepts a TLS 1.2 ticket past this timeout, for as long as its key lasts; with
         * {@code -Djdk.tls.server.enableSessionTicketExtension=false} sessions resume from the cache only, and
         * this timeout holds. The native engine ({@code edge-tls-native}) holds it for tickets too.
         */
        public Builder sessionTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("sessionTimeout: " + timeout + " (expected: 0 to 1 day)");
            }
            this.sessionTimeout = timeout;
            return this;
        }

        /**
         * How many sessions the server keeps for resumption by id (20,000; stateless tickets need none). At
         * least 1: to the JDK, a size of 0 means no bound.
         */
        public Builder sessionCacheSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("sessionCacheSize: " + size + " (expected: >= 1; 0 would mean no bound)");
            }
            this.sessionCacheSize = size;
            return this;
        }

        /**
         * A self-signed certificate for {@code localhost}, 127.0.0.1 and {@code host}, made now with the JDK's
         * keytool (EC P-256, 30 days) and deleted when the JVM exits: for demos, tests and benchmarks.
         */
        public Builder selfSigned(String host) {
            return keyStore("*", SelfSigned.keyStore(requireNonNull(host, "host")), SelfSigned.PASSWORD);
        }

        private Builder() {
        }

        /** The default certificate, from a PEM chain and a PEM (PKCS#8) private key. */
        public Builder certificate(Path chainPem, Path keyPem) {
            return certificate("*", chainPem, keyPem);
        }

        /** The certificate for SNI name {@code serverName} ({@code api.example.com} or {@code *.example.com}). */
        public Builder certificate(String serverName, Path chainPem, Path keyPem) {
            sources.add(SniKeyManager.Source.pem(requireNonNull(serverName, "serverName"),
                    requireNonNull(chainPem, "chainPem"), requireNonNull(keyPem, "keyPem")));
            return this;
        }

        /** The certificate for {@code serverName} ({@code *} for the default) from a PKCS#12 keystore. */
        public Builder keyStore(String serverName, Path pkcs12, char[] password) {
            sources.add(SniKeyManager.Source.pkcs12(requireNonNull(serverName, "serverName"),
                    requireNonNull(pkcs12, "pkcs12"), requireNonNull(password, "password").clone()));
            return this;
        }

        /** Enabled protocols (default TLSv1.3 and TLSv1.2). */
        public Builder protocols(String... protocols) {
            this.protocols.addAll(List.of(protocols));
            return this;
        }

        /** Enabled cipher suites (default: the JDK's defaults for the enabled protocols). */
        public Builder cipherSuites(String... suites) {
            this.cipherSuites.addAll(List.of(suites));
            return this;
        }

        /** Checks the files this often and reloads the ones that changed; zero (the default) never. */
        public Builder reloadEvery(Duration interval) {
            requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("reloadEvery: " + interval + " (expected: >= 0)");
            }
            this.reloadEvery = interval;
            return this;
        }

        /** Offer HTTP/2 by ALPN (default true). */
        public Builder http2(boolean enabled) {
            this.http2 = enabled;
            return this;
        }

        public TlsConfig build() {
            if (sources.isEmpty()) {
                throw new IllegalStateException("tls: no certificate; call certificate(...) or keyStore(...) before build()");
            }
            if (protocols.isEmpty()) {
                protocols.add("TLSv1.3");
                protocols.add("TLSv1.2");
            }
            for (String protocol : protocols) {
                if (!protocol.equals("TLSv1.3") && !protocol.equals("TLSv1.2")) {
                    throw new IllegalArgumentException("protocols: " + protocol + " (expected: TLSv1.3 or TLSv1.2)");
                }
            }
            return new TlsConfig(this);
        }
    }
}
