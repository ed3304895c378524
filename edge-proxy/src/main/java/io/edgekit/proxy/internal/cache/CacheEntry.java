package io.edgekit.proxy.internal.cache;

import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.internal.HttpDates;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A stored response with what freshness needs (RFC 9111 section 4.2): when it was requested and
 * received, its Date and Age, its freshness lifetime, and the request header values its Vary names.
 * Immutable; a revalidation makes a new entry.
 */
public final class CacheEntry {
    final int status;
    final Headers headers;
    final byte[] body;
    final List<String> varyNames;
    final List<String> varyValues;
    final long requestNanos;
    final long responseNanos;
    final long correctedInitialAge;
    final long freshnessLifetime;
    final CacheControl control;
    final boolean authorizedOk;

    CacheEntry(int status, Headers headers, byte[] body, Request request, long requestNanos, long responseNanos,
            long nowEpochSeconds, boolean heuristicAllowed, String surrogateToken) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.requestNanos = requestNanos;
        this.responseNanos = responseNanos;
        this.control = CacheControl.parseResponse(headers, surrogateToken);
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String vary : headers.all("vary")) {
            for (String token : vary.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    names.add(name);
                    values.add(joined(request.headers(), name));
                }
            }
        }
        this.varyNames = List.copyOf(names);
        this.varyValues = List.copyOf(values);
        long date = epochSeconds(headers.firstOrNull("date"), nowEpochSeconds);
        long ageValue = ageValue(headers);
        long responseDelay = Math.max(0, (responseNanos - requestNanos) / 1_000_000_000L);
        long apparentAge = Math.max(0, nowEpochSeconds - date);
        this.correctedInitialAge = Math.max(apparentAge, Math.max(0, ageValue) + responseDelay);
        // an invalid Age makes the response stale (RFC 9111 section 5.1): better a revalidation than a lie
        this.freshnessLifetime = ageValue < 0 ? 0 : lifetime(control, headers, date, heuristicAllowed);
        this.authorizedOk = control.allowsAuthorized();
    }

    private static long lifetime(CacheControl control, Headers headers, long date, boolean heuristicAllowed) {
        if (control.sMaxAge != CacheControl.UNSET) {
            return control.sMaxAge;
        }
        if (control.maxAge != CacheControl.UNSET) {
            return control.maxAge;
        }
        String expires = headers.firstOrNull("expires");
        if (expires != null) {
            long at = epochSeconds(expires, Long.MIN_VALUE);
            return at == Long.MIN_VALUE ? 0 : Math.max(0, at - date); // an invalid Expires is in the past
        }
        String lastModified = headers.firstOrNull("last-modified");
        if (heuristicAllowed && lastModified != null) {
            long modified = epochSeconds(lastModified, Long.MIN_VALUE);
            if (modified != Long.MIN_VALUE && modified < date) {
                return Math.min((date - modified) / 10, 24 * 3600); // 10% of the age, at most a day
            }
        }
        return 0;
    }

    /** Whether {@code request} selects this variant (RFC 9111 section 4.1). */
    boolean matches(Request request) {
        for (int i = 0; i < varyNames.size(); i++) {
            if (varyNames.get(i).equals("*")) {
                return false;
            }
            if (!normalize(joined(request.headers(), varyNames.get(i))).equals(normalize(varyValues.get(i)))) {
                return false;
            }
        }
        return true;
    }

    long currentAgeSeconds(long nowNanos) {
        return correctedInitialAge + Math.max(0, (nowNanos - responseNanos) / 1_000_000_000L);
    }

    private static String joined(Headers headers, String name) {
        List<String> all = headers.all(name);
        return all.isEmpty() ? "\u0000absent" : String.join(", ", all);
    }

    private static String normalize(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (String part : value.split(",")) {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(part.trim());
        }
        return out.toString();
    }

    /**
     * The Age in seconds: 0 when absent, -1 when invalid: not a plain non-negative integer, a list, or
     * repeated (a singleton field sent twice cannot be trusted; RFC 9111 section 5.1).
     */
    static long ageValue(Headers headers) {
        if (headers.count("age") == 0) {
            return 0;
        }
        if (headers.count("age") > 1) {
            return -1;
        }
        String value = headers.firstOrNull("age").trim();
        if (!CacheControl.isDigits(value)) {
            return -1;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    static long epochSeconds(String httpDate, long fallback) {
        long seconds = HttpDates.epochSeconds(httpDate);
        return seconds == HttpDates.INVALID ? fallback : seconds;
    }
}
