package io.edgekit.proxy.internal.upstream;

import io.edgekit.core.internal.HttpTokens;

/**
 * Which parts of an HTTP/1.1 head each Latin-1 character may stand in: one table for the codec's loops,
 * the request heads it writes and the response heads it reads.
 */
public final class HeadChars {
    /** A method or field name: token characters (RFC 9110 section 5.6.2). */
    static final byte TOKEN = 1;
    /** The request target and Host: visible characters, no space. */
    static final byte TARGET = 2;
    /** A field value or reason phrase: HTAB, SP, visible ASCII, obs-text (RFC 9110 section 5.5). */
    static final byte VALUE = 4;

    private static final byte[] KINDS = new byte[256];

    static {
        for (char c = 0; c < 256; c++) {
            boolean visible = c > 0x20 && c != 0x7f;
            KINDS[c] = (byte) ((HttpTokens.isTokenChar(c) ? TOKEN : 0) | (visible ? TARGET : 0)
                    | (HttpTokens.isFieldValueChar(c) ? VALUE : 0));
        }
    }

    private HeadChars() {
    }

    /** Whether the Latin-1 character {@code c} (0 to 255) may stand in text of {@code kind}. */
    static boolean allows(int c, byte kind) {
        return (KINDS[c] & kind) != 0;
    }
}
