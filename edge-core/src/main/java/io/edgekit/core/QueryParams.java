package io.edgekit.core;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reading query parameters from a raw query string. */
final class QueryParams {
    private QueryParams() {
    }

    /** The first value of {@code name}, percent-decoded; "" for a name without {@code =}; null if absent. */
    static String first(String query, String name) {
        if (query.isEmpty()) {
            return null;
        }
        int start = 0;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = query.length();
            }
            int eq = query.indexOf('=', start);
            int nameEnd = eq < 0 || eq > end ? end : eq;
            String key = decode(query.substring(start, nameEnd));
            if (key.equals(name)) {
                return nameEnd == end ? "" : decode(query.substring(nameEnd + 1, end));
            }
            start = end + 1;
        }
        return null;
    }

    private static String decode(String text) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}
