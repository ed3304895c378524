package io.edgekit.core.internal;

import io.edgekit.core.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Hop-by-hop header fields (RFC 9110 section 7.6.1): those that describe one connection and must not
 * be forwarded, plus any field the {@code Connection} header names.
 */
public final class HopByHop {
    private HopByHop() {
    }

    /*
     * Names are compared with their usual spelling: the parsers' known names are those very strings,
     * so most comparisons end at equalsIgnoreCase's identity check.
     */

    /** The fixed hop-by-hop names ({@code Transfer-Encoding} among them: the edge frames bodies itself). */
    public static boolean isHopByHop(String name) {
        int length = name.length();
        if (length < 2 || length > 19) {
            return false;
        }
        char first = (char) (name.charAt(0) | 0x20); // lower case for letters: a cheap first sieve
        if (first != 't' && first != 'u' && first != 'c' && first != 'k' && first != 'p') {
            return false;
        }
        switch (length) {
            case 2:
                return name.equalsIgnoreCase("TE");
            case 7:
                return name.equalsIgnoreCase("Trailer") || name.equalsIgnoreCase("Upgrade");
            case 10:
                return name.equalsIgnoreCase("Connection") || name.equalsIgnoreCase("Keep-Alive");
            case 16:
                return name.equalsIgnoreCase("Proxy-Connection");
            case 17:
                return name.equalsIgnoreCase("Transfer-Encoding");
            case 18:
                return name.equalsIgnoreCase("Proxy-Authenticate");
            case 19:
                return name.equalsIgnoreCase("Proxy-Authorization");
            default:
                return false;
        }
    }

    /** {@code Content-Length}: not hop-by-hop, but the edge sets it from the body it actually sends. */
    public static boolean isFraming(String name) {
        int length = name.length();
        return length == 14 && (name.charAt(0) | 0x20) == 'c' && name.equalsIgnoreCase("Content-Length")
                || length == 17 && (name.charAt(0) | 0x20) == 't' && name.equalsIgnoreCase("Transfer-Encoding");
    }

    /** The lower-case field names listed in every {@code Connection} field, or an empty list. */
    public static List<String> connectionTokens(Headers headers) {
        List<String> tokens = null;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.name(i).equalsIgnoreCase("connection")) {
                for (String token : headers.value(i).split(",")) {
                    String t = token.trim().toLowerCase(Locale.ROOT);
                    if (!t.isEmpty()) {
                        if (tokens == null) {
                            tokens = new ArrayList<>(2);
                        }
                        tokens.add(t);
                    }
                }
            }
        }
        return tokens == null ? List.of() : tokens;
    }

    public static boolean isListed(List<String> tokens, String name) {
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code headers} without hop-by-hop fields and the fields {@code Connection} names. */
    public static Headers strip(Headers headers) {
        List<String> tokens = connectionTokens(headers);
        Headers.Builder out = null;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            boolean drop = isHopByHop(name) || (!tokens.isEmpty() && isListed(tokens, name));
            if (drop && out == null) {
                out = Headers.builder(headers.size());
                for (int j = 0; j < i; j++) {
                    out.add(headers.name(j), headers.value(j));
                }
            } else if (!drop && out != null) {
                out.add(name, headers.value(i));
            }
        }
        return out == null ? headers : out.build();
    }
}
