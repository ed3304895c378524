package io.edgekit.proxy.internal;

import io.edgekit.core.Headers;
import java.util.Locale;

/** The Cache-Control directives the cache acts on (RFC 9111 section 5.2), parsed from every field. */
final class CacheControl {
    static final long UNSET = -1;

    boolean noStore;
    boolean noCache;
    boolean isPrivate;
    boolean isPublic;
    boolean mustRevalidate;
    boolean proxyRevalidate;
    boolean onlyIfCached;
    boolean mustUnderstand;
    long maxAge = UNSET;
    long sMaxAge = UNSET;
    long maxStale = UNSET;
    boolean maxStaleAny;
    long minFresh = UNSET;
    long staleWhileRevalidate = UNSET;
    long staleIfError = UNSET;

    static CacheControl parse(Headers headers) {
        CacheControl cc = new CacheControl();
        for (String value : headers.all("cache-control")) {
            parseInto(cc, value);
        }
        if (headers.count("cache-control") == 0) {
            String pragma = headers.firstOrNull("pragma");
            if (pragma != null && pragma.toLowerCase(Locale.ROOT).contains("no-cache")) {
                cc.noCache = true;
            }
        }
        return cc;
    }

    private static void parseInto(CacheControl cc, String value) {
        int i = 0;
        int n = value.length();
        while (i < n) {
            int end = i;
            boolean quoted = false;
            while (end < n && (quoted || value.charAt(end) != ',')) {
                if (value.charAt(end) == '"') {
                    quoted = !quoted;
                }
                end++;
            }
            String directive = value.substring(i, end).trim();
            i = end + 1;
            if (directive.isEmpty()) {
                continue;
            }
            int eq = directive.indexOf('=');
            String name = (eq < 0 ? directive : directive.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String argument = eq < 0 ? null : directive.substring(eq + 1).trim();
            if (argument != null && argument.length() >= 2 && argument.startsWith("\"") && argument.endsWith("\"")) {
                argument = argument.substring(1, argument.length() - 1);
            }
            switch (name) {
                case "no-store" -> cc.noStore = true;
                case "no-cache" -> cc.noCache = true; // with field names: treated as plain no-cache (stricter)
                case "private" -> cc.isPrivate = true;
                case "public" -> cc.isPublic = true;
                case "must-revalidate" -> cc.mustRevalidate = true;
                case "proxy-revalidate" -> cc.proxyRevalidate = true;
                case "only-if-cached" -> cc.onlyIfCached = true;
                case "must-understand" -> cc.mustUnderstand = true;
                case "max-age" -> cc.maxAge = seconds(argument, cc.maxAge);
                case "s-maxage" -> cc.sMaxAge = seconds(argument, cc.sMaxAge);
                case "min-fresh" -> cc.minFresh = seconds(argument, cc.minFresh);
                case "stale-while-revalidate" -> cc.staleWhileRevalidate = seconds(argument, cc.staleWhileRevalidate);
                case "stale-if-error" -> cc.staleIfError = seconds(argument, cc.staleIfError);
                case "max-stale" -> {
                    if (argument == null) {
                        cc.maxStaleAny = true;
                    } else {
                        cc.maxStale = seconds(argument, cc.maxStale);
                    }
                }
                default -> { }
            }
        }
    }

    /**
     * A delta-seconds value; an invalid one counts as 0 (RFC 9111 section 1.2.2: treat as stale),
     * a duplicate keeps the first (the most conservative reading of a conflict is to revalidate).
     */
    private static long seconds(String argument, long previous) {
        if (previous != UNSET) {
            return Math.min(previous, parseOrZero(argument));
        }
        return parseOrZero(argument);
    }

    private static long parseOrZero(String argument) {
        if (argument == null || argument.isEmpty()) {
            return 0;
        }
        for (int i = 0; i < argument.length(); i++) {
            if (argument.charAt(i) < '0' || argument.charAt(i) > '9') {
                return 0;
            }
        }
        try {
            return Long.parseLong(argument);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE; // too large: the largest sensible value (RFC 9111 section 1.2.2)
        }
    }
}
