package io.edgekit.proxy.internal.cache;

import io.edgekit.core.Headers;
import io.edgekit.core.Response;
import io.edgekit.core.internal.HttpDates;

/** A single byte range of a representation whose length is known (RFC 9110 section 14). */
public final class ByteRanges {
    /** The range asked for cannot be satisfied: answer 416. */
    public static final long[] UNSATISFIABLE = new long[0];

    private ByteRanges() {
    }

    /**
     * The single range the request asks for, as {first, last}; null for the whole representation (no
     * Range, another unit, several ranges, a malformed one, or an {@code If-Range} that no longer matches);
     * {@link #UNSATISFIABLE} when it lies outside. {@code lastModifiedSeconds} is Long.MIN_VALUE when unknown.
     */
    public static long[] single(Headers request, String etag, long lastModifiedSeconds, long size) {
        String header = request.firstOrNull("range");
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return null;
        }
        String ifRange = request.firstOrNull("if-range");
        if (ifRange != null) {
            ifRange = ifRange.trim();
            boolean current;
            if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
                // If-Range compares strongly (RFC 9110 section 13.1.5)
                current = etag != null && !etag.startsWith("W/") && !ifRange.startsWith("W/") && ifRange.equals(etag);
            } else {
                long date = HttpDates.epochSeconds(ifRange);
                current = date != HttpDates.INVALID && lastModifiedSeconds != Long.MIN_VALUE && date == lastModifiedSeconds;
            }
            if (!current) {
                return null;
            }
        }
        String spec = header.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            long first;
            long last;
            if (dash == 0) {
                long suffix = Long.parseLong(spec.substring(1));
                if (suffix <= 0) {
                    return UNSATISFIABLE;
                }
                first = Math.max(0, size - suffix);
                last = size - 1;
            } else {
                first = Long.parseLong(spec.substring(0, dash));
                last = dash == spec.length() - 1 ? size - 1 : Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
            }
            if (first < 0 || first >= size || last < first) {
                return UNSATISFIABLE;
            }
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            return null; // a malformed range is ignored
        }
    }

    /** The value of Content-Range for {@code range} of {@code size} bytes. */
    public static String contentRange(long[] range, long size) {
        return "bytes " + range[0] + "-" + range[1] + "/" + size;
    }

    /** 416 with {@code Content-Range: bytes *}{@code /size}. */
    public static Response unsatisfiable(long size, String detail) {
        return Response.problem(416, "Range Not Satisfiable", detail).withHeader("content-range", "bytes */" + size);
    }
}
