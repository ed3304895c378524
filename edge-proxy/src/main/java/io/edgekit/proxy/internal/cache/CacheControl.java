package io.edgekit.proxy.internal.cache;

import io.edgekit.core.Headers;
import java.util.Locale;

/**
 * The Cache-Control directives the cache acts on (RFC 9111 section 5.2), parsed from every field; for
 * responses, with the Surrogate-Control directives aimed at this cache applied on top (W3C Edge
 * Architecture Specification 1.0).
 */
public final class CacheControl {
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
    /** Whether the response carried s-maxage, whatever Surrogate-Control later says about freshness. */
    boolean sMaxAgeSeen;
    /** Whether Surrogate-Control decided storage and freshness, which Cache-Control then does not. */
    boolean surrogate;

    /**
     * Whether a response with these directives may be given to requests with Authorization from a shared
     * cache (RFC 9111 section 3.5).
     */
    boolean allowsAuthorized() {
        return isPublic || sMaxAgeSeen || mustRevalidate;
    }

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

    /**
     * The directives of a response. With a {@code surrogateToken}, Surrogate-Control controls that carry no
     * device token or carry this one override Cache-Control for this cache: {@code no-store} keeps the
     * response out; {@code max-age=N[+M]} makes it storable and fresh for N seconds (stale-if-error M),
     * whatever Cache-Control's {@code no-store}, {@code no-cache}, {@code max-age}, {@code s-maxage} or
     * Expires say, since those speak to every cache and Surrogate-Control to this one. {@code private} still
     * keeps a response out. A control aimed at this token beats one aimed at none.
     */
    static CacheControl parseResponse(Headers headers, String surrogateToken) {
        CacheControl cc = parse(headers);
        if (surrogateToken == null || headers.count("surrogate-control") == 0) {
            return cc;
        }
        long[] maxAge = {UNSET, UNSET};      // untargeted, targeted
        long[] staleFor = {UNSET, UNSET};
        boolean[] noStore = {false, false};
        for (String value : headers.all("surrogate-control")) {
            for (String control : split(value)) {
                int semicolon = control.indexOf(';');
                String directive = (semicolon < 0 ? control : control.substring(0, semicolon)).trim();
                int target = 0;
                if (semicolon >= 0) {
                    if (!control.substring(semicolon + 1).trim().equalsIgnoreCase(surrogateToken)) {
                        continue; // aimed at another device
                    }
                    target = 1;
                }
                String lower = directive.toLowerCase(Locale.ROOT);
                if (lower.equals("no-store")) {
                    noStore[target] = true;
                } else if (lower.startsWith("max-age=")) {
                    String argument = lower.substring("max-age=".length());
                    int plus = argument.indexOf('+');
                    long seconds = strictSeconds(plus < 0 ? argument : argument.substring(0, plus));
                    long stale = plus < 0 ? UNSET : strictSeconds(argument.substring(plus + 1));
                    if (seconds != UNSET && (plus < 0 || stale != UNSET)) {
                        maxAge[target] = maxAge[target] == UNSET ? seconds : Math.min(maxAge[target], seconds);
                        staleFor[target] = stale;
                    }
                }
            }
        }
        int use = noStore[1] || maxAge[1] != UNSET ? 1 : 0;
        if (noStore[use]) {
            cc.noStore = true;
            cc.surrogate = true;
        } else if (maxAge[use] != UNSET) {
            cc.surrogate = true;
            cc.noStore = false;
            cc.noCache = false;
            cc.sMaxAge = UNSET;
            cc.maxAge = maxAge[use];
            if (staleFor[use] != UNSET) {
                cc.staleIfError = staleFor[use];
            }
        }
        return cc;
    }

    /** Non-negative digits only, no spaces; UNSET otherwise. */
    private static long strictSeconds(String argument) {
        return isDigits(argument) ? parseOrZero(argument) : UNSET;
    }

    /** The comma-separated members of a field value, outside quoted strings, trimmed, empty ones dropped. */
    private static java.util.List<String> split(String value) {
        java.util.List<String> members = new java.util.ArrayList<>();
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
            String member = value.substring(i, end).trim();
            if (!member.isEmpty()) {
                members.add(member);
            }
            i = end + 1;
        }
        return members;
    }

    private static void parseInto(CacheControl cc, String value) {
        for (String directive : split(value)) {
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
                case "s-maxage" -> {
                    cc.sMaxAge = seconds(argument, cc.sMaxAge);
                    cc.sMaxAgeSeen = true;
                }
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
        if (!isDigits(argument)) {
            return 0;
        }
        try {
            return Long.parseLong(argument);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE; // too large: the largest sensible value (RFC 9111 section 1.2.2)
        }
    }

    /** Whether {@code argument} is one or more ASCII digits. */
    static boolean isDigits(String argument) {
        if (argument == null || argument.isEmpty()) {
            return false;
        }
        for (int i = 0; i < argument.length(); i++) {
            if (argument.charAt(i) < '0' || argument.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
