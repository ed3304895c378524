package io.edgekit.core.internal;

/** The HTTP {@code token} grammar (RFC 9110 section 5.6.2). */
public final class HttpTokens {
    private HttpTokens() {
    }

    /** Whether every character of {@code s} is a {@code tchar} (true for ""). */
    public static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            TCHAR[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
    }

    /** Whether {@code c} is a {@code tchar}. */
    public static boolean isTokenChar(char c) {
        return c < 128 && TCHAR[c];
    }

    /**
     * Whether {@code c} may stand in a field value (RFC 9110 section 5.5): HTAB, SP, visible ASCII and
     * obs-text (0x80-0xFF); never CR, LF, NUL, other controls or DEL.
     */
    public static boolean isFieldValueChar(char c) {
        return c == '\t' || (c >= 0x20 && c != 0x7f && c <= 0xff);
    }
}
