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

    /**
     * {@code name}, when it is a field name (a non-empty token); else an {@link IllegalArgumentException}
     * naming {@code setting}, the value, and what to write instead.
     */
    public static String requireFieldName(String setting, String name) {
        if (name == null || name.isEmpty() || !isToken(name)) {
            String suggestion = name == null ? "x-name" : name.trim().replaceAll("[^!#$%&'*+.^_`|~0-9A-Za-z-]+", "-");
            throw new IllegalArgumentException(setting + ": \"" + name + "\" is not a header field name (expected: a token"
                    + " of letters, digits and !#$%&'*+-.^_`|~, such as \"" + suggestion + "\")");
        }
        return name;
    }

    /** Whether every character of {@code s} may stand in a field value ({@link #isFieldValueChar}). */
    public static boolean isFieldValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isFieldValueChar(s.charAt(i))) {
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
