package io.edgekit.proxy;

import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The TLS implementation of a listener: makes the server's {@link SSLContext}, its keys (SNI, reload) from
 * the edge's key manager. {@link #JDK} is the default; another (an OpenSSL-backed provider) plugs in with
 * {@link TlsConfig.Builder#engine}.
 */
@FunctionalInterface
public interface TlsEngine {
    /** The JDK's own TLS (JSSE). */
    TlsEngine JDK = keys -> {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {keys}, null, null);
        return context;
    };

    /** A server context whose certificates come from {@code keys}. */
    SSLContext serverContext(X509ExtendedKeyManager keys) throws GeneralSecurityException;
}
