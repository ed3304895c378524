package io.edgekit.core.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parsing IP address literals without ever touching DNS. */
public final class IpLiterals {
    private IpLiterals() {
    }

    /**
     * Parses an IPv4 dotted quad or an IPv6 literal (optionally in brackets); returns null for anything
     * else, host names included.
     */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        String s = text;
        if (s.charAt(0) == '[') {
            if (s.charAt(s.length() - 1) != ']') {
                return null;
            }
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') >= 0) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                        || c == ':' || c == '.';
                if (!ok) {
                    return null;
                }
            }
            try {
                // a string containing ':' and only hex digits, ':' and '.' is parsed as a literal, no lookup
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        byte[] bytes = new byte[4];
        int part = 0;
        int value = -1;
        for (int i = 0; i <= s.length(); i++) {
            char c = i == s.length() ? '.' : s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (value == 0) {
                    return null; // no leading zeros: 010 is ambiguous (octal in some parsers)
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    return null;
                }
            } else if (c == '.') {
                if (value < 0 || part == 4) {
                    return null;
                }
                bytes[part++] = (byte) value;
                value = -1;
            } else {
                return null;
            }
        }
        if (part != 4) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The address bytes, with IPv4-mapped IPv6 addresses turned into their 4 IPv4 bytes. */
    public static byte[] normalized(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isV4Mapped(bytes)) {
            return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
        }
        return bytes;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** The address for a {@code Forwarded: for=} value: IPv6 in quotes and brackets. */
    public static String forwardedNode(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        return "\"[" + address.getHostAddress() + "]\"";
    }
}
