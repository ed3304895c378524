package io.edgekit.core.internal;

/** Host names from authorities. */
public final class Hosts {
    private Hosts() {
    }

    /** The host of an authority, without port, ASCII lower-case: {@code API.Example.com:8443} is {@code api.example.com}. */
    public static String hostOf(String authority) {
        if (authority.isEmpty()) {
            return authority;
        }
        int end;
        if (authority.charAt(0) == '[') {
            int close = authority.indexOf(']');
            end = close < 0 ? authority.length() : close + 1;
        } else {
            int colon = authority.lastIndexOf(':');
            end = colon < 0 ? authority.length() : colon;
        }
        String host = authority.substring(0, end);
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return toLowerAscii(host);
            }
        }
        return host;
    }

    private static String toLowerAscii(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] += 'a' - 'A';
            }
        }
        return new String(chars);
    }
}
