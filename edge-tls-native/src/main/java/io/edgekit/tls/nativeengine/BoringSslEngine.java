package io.edgekit.tls.nativeengine;

import static java.util.Objects.requireNonNull;

import io.edgekit.proxy.TlsEngine;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A TLS engine on BoringSSL (netty-tcnative's statically linked build, through Netty's OpenSSL
 * {@code SSLEngine}): the handshake's signatures and key exchange run in native code. Session tickets (TLS 1.3
 * and 1.2) are encrypted with random keys that rotate (every hour by default, {@link #engine(Duration)}); a
 * ticket is accepted only within the listener's session timeout and for at most two rotations.
 *
 * <p>With TLS 1.3 the server sends nothing between the client's Finished and its first request (the JDK's
 * engine sends its session tickets there), so a client that leaves Nagle's algorithm on (no
 * {@code TCP_NODELAY}; browsers, curl and the JDK's client set it) holds its first request until the
 * server's delayed acknowledgement, some 40 ms.
 */
public final class BoringSslEngine {
    /** How often the session-ticket key is replaced by default: an hour, as the JDK's engine does. */
    public static final Duration DEFAULT_TICKET_KEY_ROTATION = Duration.ofHours(1);

    private BoringSslEngine() {
    }

    /** Whether the native library loads on this machine. */
    public static boolean isAvailable() {
        return OpenSsl.isAvailable();
    }

    /**
     * The engine, its session-ticket keys rotated every hour; making a context fails when the native library
     * does not load here ({@link #isAvailable}).
     */
    public static TlsEngine engine() {
        return engine(DEFAULT_TICKET_KEY_ROTATION);
    }

    /** The engine, its session-ticket keys replaced every {@code ticketKeyRotation} (1 second to 1 day). */
    public static TlsEngine engine(Duration ticketKeyRotation) {
        requireNonNull(ticketKeyRotation, "ticketKeyRotation");
        if (ticketKeyRotation.compareTo(Duration.ofSeconds(1)) < 0 || ticketKeyRotation.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("ticketKeyRotation: " + ticketKeyRotation + " (expected: 1 second to 1 day)");
        }
        return keys -> context(keys, ticketKeyRotation);
    }

    private static SSLContext context(X509ExtendedKeyManager keys, Duration ticketKeyRotation)
            throws GeneralSecurityException {
        if (!OpenSsl.isAvailable()) {
            throw new GeneralSecurityException("BoringSSL does not load here: " + OpenSsl.unavailabilityCause());
        }
        SslContext netty;
        try {
            netty = SslContextBuilder.forServer(new FixedKeyManagerFactory(keys))
                    .sslProvider(SslProvider.OPENSSL)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .clientAuth(ClientAuth.NONE)
                    // the certificate callback (the edge's SNI key manager) runs inline: a delegated task would
                    // send every handshake to the worker thread and back
                    .option(OpenSslContextOption.USE_TASKS, false)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2", "http/1.1"))
                    .build();
        } catch (javax.net.ssl.SSLException e) {
            throw new GeneralSecurityException("cannot make the BoringSSL context: " + e.getMessage(), e);
        }
        TicketKeys tickets = new TicketKeys((OpenSslSessionContext) netty.sessionContext(), ticketKeyRotation);
        return new SSLContext(new Spi(netty, tickets), new Provider("edgekit-boringssl", "1", "BoringSSL through Netty") {
        }, "TLS") {
        };
    }

    /** A javax SSLContext whose engines are Netty's OpenSSL engines. */
    private static final class Spi extends SSLContextSpi {
        private final SslContext netty;
        private final TicketKeys tickets;

        Spi(SslContext netty, TicketKeys tickets) {
            this.netty = netty;
            this.tickets = tickets;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw new UnsupportedOperationException("engines only");
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException("engines only");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            tickets.rotateIfDue();
            return new UndertowFacingEngine(netty.newEngine(ByteBufAllocator.DEFAULT));
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            tickets.rotateIfDue();
            return new UndertowFacingEngine(netty.newEngine(ByteBufAllocator.DEFAULT, host, port));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return netty.sessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return netty.sessionContext();
        }
    }

    /** Hands Netty the edge's own key manager (SNI, reload). */
    private static final class FixedKeyManagerFactory extends KeyManagerFactory {
        FixedKeyManagerFactory(X509ExtendedKeyManager keys) {
            super(new KeyManagerFactorySpi() {
                @Override
                protected void engineInit(KeyStore ks, char[] password) {
                }

                @Override
                protected void engineInit(ManagerFactoryParameters spec) {
                }

                @Override
                protected KeyManager[] engineGetKeyManagers() {
                    return new KeyManager[] {keys};
                }
            }, new Provider("edgekit-keys", "1", "the edge's key manager") {
            }, "edgekit");
        }
    }
}
