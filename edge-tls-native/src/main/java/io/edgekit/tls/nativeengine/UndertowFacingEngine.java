package io.edgekit.tls.nativeengine;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * Netty's OpenSSL engine as Undertow's TLS layer calls it: session creation cannot be switched off (the
 * call is taken as the default it already is), and ALPN is negotiated by the native engine with the
 * protocols it was built with ({@code h2}, {@code http/1.1}), so a selector Undertow installs is kept for
 * its question, not used. Several buffers wrapped at once (a response's head and body) that fit one TLS
 * record are joined first: Netty's engine makes one record per buffer and Undertow writes each record
 * with a system call of its own, where the JDK's engine makes one. Everything else goes straight to
 * Netty's engine.
 */
final class UndertowFacingEngine extends SSLEngine {
    /** The most plaintext one TLS record carries. */
    static final int MAX_RECORD_PLAINTEXT = 16 * 1024;
    private static final ThreadLocal<ByteBuffer> JOINED =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(MAX_RECORD_PLAINTEXT));

    private final SSLEngine engine;
    /** A copy of the parameters {@link #getSSLParameters} last returned, until they are set. */
    private SSLParameters handedOut;
    private BiFunction<SSLEngine, List<String>, String> selector;

    UndertowFacingEngine(SSLEngine engine) {
        super(engine.getPeerHost(), engine.getPeerPort());
        this.engine = engine;
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        if (!flag) {
            engine.setEnableSessionCreation(false);
        }
    }

    @Override
    public boolean getEnableSessionCreation() {
        return engine.getEnableSessionCreation();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        this.selector = selector;
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return selector;
    }

    @Override
    public String getApplicationProtocol() {
        return engine.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return engine.getHandshakeApplicationProtocol();
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        int filled = 0;
        int total = 0;
        for (int i = offset; i < offset + length; i++) {
            int remaining = srcs[i].remaining();
            total += remaining;
            filled += remaining > 0 ? 1 : 0;
            if (total > MAX_RECORD_PLAINTEXT) {
                return engine.wrap(srcs, offset, length, dst);
            }
        }
        if (filled < 2) {
            return engine.wrap(srcs, offset, length, dst);
        }
        ByteBuffer joined = JOINED.get().clear();
        for (int i = offset; i < offset + length; i++) {
            joined.put(srcs[i].duplicate());
        }
        joined.flip();
        SSLEngineResult result = engine.wrap(joined, dst);
        int consumed = result.bytesConsumed();
        for (int i = offset; i < offset + length && consumed > 0; i++) {
            int step = Math.min(consumed, srcs[i].remaining());
            srcs[i].position(srcs[i].position() + step);
            consumed -= step;
        }
        return result;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return engine.wrap(src, dst);
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
        return wrap(srcs, 0, srcs.length, dst);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        return engine.unwrap(src, dsts, offset, length);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return engine.unwrap(src, dst);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
        return engine.unwrap(src, dsts);
    }

    @Override
    public Runnable getDelegatedTask() {
        return engine.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException {
        engine.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
        return engine.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        engine.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
        return engine.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return engine.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return engine.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        engine.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return engine.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return engine.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        engine.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
        return engine.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return engine.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException {
        engine.beginHandshake();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
        return engine.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        engine.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return engine.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        engine.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return engine.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        engine.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return engine.getWantClientAuth();
    }

    @Override
    public SSLParameters getSSLParameters() {
        SSLParameters parameters = engine.getSSLParameters();
        handedOut = copy(parameters);
        return parameters;
    }

    /**
     * Sets the parameters, unless they are those last read back with only the application protocols changed:
     * Undertow's ALPN support does that on every connection, the native engine negotiates ALPN itself, and
     * applying the rest again costs Netty's engine some 10 µs.
     */
    @Override
    public void setSSLParameters(SSLParameters parameters) {
        SSLParameters before = handedOut;
        handedOut = null;
        if (before == null || !sameApartFromApplicationProtocols(before, parameters)) {
            engine.setSSLParameters(parameters);
        }
    }

    static boolean sameApartFromApplicationProtocols(SSLParameters a, SSLParameters b) {
        return !java.util.Arrays.equals(a.getApplicationProtocols(), b.getApplicationProtocols())
                && java.util.Arrays.equals(a.getCipherSuites(), b.getCipherSuites())
                && java.util.Arrays.equals(a.getProtocols(), b.getProtocols())
                && a.getNeedClientAuth() == b.getNeedClientAuth() && a.getWantClientAuth() == b.getWantClientAuth()
                && java.util.Objects.equals(a.getEndpointIdentificationAlgorithm(), b.getEndpointIdentificationAlgorithm())
                && java.util.Objects.equals(a.getServerNames(), b.getServerNames())
                && java.util.Objects.equals(a.getSNIMatchers(), b.getSNIMatchers())
                && a.getAlgorithmConstraints() == b.getAlgorithmConstraints()
                && a.getUseCipherSuitesOrder() == b.getUseCipherSuitesOrder()
                && a.getEnableRetransmissions() == b.getEnableRetransmissions()
                && a.getMaximumPacketSize() == b.getMaximumPacketSize();
    }

    private static SSLParameters copy(SSLParameters p) {
        SSLParameters copy = new SSLParameters(p.getCipherSuites(), p.getProtocols());
        if (p.getNeedClientAuth()) {
            copy.setNeedClientAuth(true);
        } else if (p.getWantClientAuth()) {
            copy.setWantClientAuth(true);
        }
        copy.setEndpointIdentificationAlgorithm(p.getEndpointIdentificationAlgorithm());
        copy.setServerNames(p.getServerNames());
        copy.setSNIMatchers(p.getSNIMatchers());
        copy.setAlgorithmConstraints(p.getAlgorithmConstraints());
        copy.setUseCipherSuitesOrder(p.getUseCipherSuitesOrder());
        copy.setEnableRetransmissions(p.getEnableRetransmissions());
        copy.setMaximumPacketSize(p.getMaximumPacketSize());
        copy.setApplicationProtocols(p.getApplicationProtocols());
        return copy;
    }
}
