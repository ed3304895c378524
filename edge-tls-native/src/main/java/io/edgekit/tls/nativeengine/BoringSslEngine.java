package io.edgekit.tls.nativeengine;

import io.edgekit.proxy.TlsEngine;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
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
 * {@code SSLEngine}): the handshake's signatures and key exchange run in native code.
 */
public final class BoringSslEngine {
    private BoringSslEngine() {
    }

    /** Whether the native library loads on this machine. */
    public static boolean isAvailable() {
        return OpenSsl.isAvailable();
    }

    /** The engine; fails when the native library does not load here ({@link #isAvailable}). */
    public static TlsEngine engine() {
        return BoringSslEngine::context;
    }

    private static SSLContext context(X509ExtendedKeyManager keys) throws GeneralSecurityException {
        if (!OpenSsl.isAvailable()) {
            throw new GeneralSecurityException("BoringSSL does not load here: " + OpenSsl.unavailabilityCause());
        }
        SslContext netty;
        try {
            netty = SslContextBuilder.forServer(new FixedKeyManagerFactory(keys))
                    .sslProvider(SslProvider.OPENSSL)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .clientAuth(ClientAuth.NONE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2", "http/1.1"))
                    .build();
        } catch (javax.net.ssl.SSLException e) {
            throw new GeneralSecurityException("cannot make the BoringSSL context: " + e.getMessage(), e);
        }
        return new SSLContext(new Spi(netty), new Provider("edgekit-boringssl", "1", "BoringSSL through Netty") {
        }, "TLS") {
        };
    }

    /** A javax SSLContext whose engines are Netty's OpenSSL engines. */
    private static final class Spi extends SSLContextSpi {
        private final SslContext netty;

        Spi(SslContext netty) {
            this.netty = netty;
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
            return new UndertowFacingEngine(netty.newEngine(ByteBufAllocator.DEFAULT));
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
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
