package io.edgekit.core.internal;

import io.edgekit.core.PathOptions;
import io.edgekit.core.PathOptions.Action;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a raw request path canonical under {@link PathOptions}: one pass that decodes unreserved
 * escapes, applies the options to encoded slashes, backslashes, NUL and path parameters, then removes
 * dot segments (RFC 3986 section 5.2.4) and, if asked, merges slashes. Idempotent: a canonical path is
 * its own canonical form. Pure; thread-safe.
 */
public final class PathCanonicalizer {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathCanonicalizer() {
    }

    /** The canonical path, or a rejection saying why the path cannot be made canonical. */
    public record Result(String path, String rejection) {
        public boolean isRejected() {
            return rejection != null;
        }
    }

    public static Result canonicalize(String raw, PathOptions options) {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            return new Result(null, "the path must start with /");
        }
        if (isSimple(raw, options)) {
            return new Result(raw, null);
        }
        // 1. split into segments, decoding per segment so that a decoded '/' cannot create a segment
        //    unless the options say so
        List<String> segments = new ArrayList<>();
        StringBuilder segment = new StringBuilder();
        boolean inParams = false;
        for (int i = 1; i <= raw.length(); i++) {
            char c = i == raw.length() ? '/' : raw.charAt(i);
            if (c == '/') {
                segments.add(segment.toString());
                segment.setLength(0);
                inParams = false;
                continue;
            }
            if (inParams) {
                if (options.pathParameters() == Action.KEEP) {
                    segment.append(c);
                }
                continue;
            }
            if (c == ';' && options.pathParameters() != Action.KEEP) {
                if (options.pathParameters() == Action.REJECT) {
                    return new Result(null, "the path has ;parameters");
                }
                inParams = true;
                continue;
            }
            if (c == '\\') {
                String rejection = applyBackslash(options.backslash(), segments, segment, false);
                if (rejection != null) {
                    return new Result(null, rejection);
                }
                continue;
            }
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return new Result(null, "the path has an incomplete percent-encoding");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return new Result(null, "the path has an invalid percent-encoding");
                }
                int value = hi * 16 + lo;
                i += 2;
                if (value == '/') {
                    switch (options.encodedSlash()) {
                        case REJECT:
                            return new Result(null, "the path has an encoded slash");
                        case DECODE:
                            segments.add(segment.toString());
                            segment.setLength(0);
                            inParams = false;
                            continue;
                        default:
                            segment.append("%2F");
                            continue;
                    }
                }
                if (value == '\\') {
                    String rejection = applyBackslash(options.backslash(), segments, segment, true);
                    if (rejection != null) {
                        return new Result(null, rejection);
                    }
                    continue;
                }
                if (value == 0) {
                    if (options.encodedNul() == Action.REJECT) {
                        return new Result(null, "the path has an encoded NUL");
                    }
                    segment.append("%00");
                    continue;
                }
                if (isUnreserved(value)) {
                    segment.append((char) value);
                } else {
                    segment.append('%').append(HEX[value >> 4]).append(HEX[value & 0xf]);
                }
                continue;
            }
            segment.append(c);
        }
        // 2. dot segments and empty segments
        List<String> out = new ArrayList<>(segments.size());
        int last = segments.size() - 1;
        for (int i = 0; i <= last; i++) {
            String s = segments.get(i);
            if (s.equals(".")) {
                if (i == last) {
                    out.add("");
                }
                continue;
            }
            if (s.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                if (i == last) {
                    out.add("");
                }
                continue;
            }
            if (s.isEmpty() && options.mergeSlashes() && i != last) {
                continue;
            }
            out.add(s);
        }
        StringBuilder path = new StringBuilder(raw.length());
        for (String s : out) {
            path.append('/').append(s);
        }
        if (path.length() == 0) {
            path.append('/');
        }
        String result = path.toString();
        if (options.caseInsensitive()) {
            result = lowerCaseOutsideEscapes(result);
        }
        return new Result(result, null);
    }

    private static String applyBackslash(Action action, List<String> segments, StringBuilder segment,
            boolean encoded) {
        switch (action) {
            case REJECT:
                return encoded ? "the path has an encoded backslash" : "the path has a backslash";
            case DECODE:
                segments.add(segment.toString());
                segment.setLength(0);
                return null;
            default:
                segment.append("%5C");
                return null;
        }
    }

    /** True when the path is already canonical: the fast path for ordinary requests. */
    private static boolean isSimple(String raw, PathOptions options) {
        char previous = 0;
        int segmentStart = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' || c == ';' || c == '\\') {
                return false;
            }
            if (options.caseInsensitive() && c >= 'A' && c <= 'Z') {
                return false;
            }
            if (c == '/') {
                if (previous == '/' && options.mergeSlashes()) {
                    return false;
                }
                if (isDotSegment(raw, segmentStart, i)) {
                    return false;
                }
                segmentStart = i + 1;
            }
            previous = c;
        }
        return !isDotSegment(raw, segmentStart, raw.length());
    }

    private static boolean isDotSegment(String raw, int start, int end) {
        int length = end - start;
        return (length == 1 && raw.charAt(start) == '.')
                || (length == 2 && raw.charAt(start) == '.' && raw.charAt(start + 1) == '.');
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** ASCII lower case, leaving the hex digits of escapes upper-case. */
    private static String lowerCaseOutsideEscapes(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length()) {
                out.append(c).append(path.charAt(i + 1)).append(path.charAt(i + 2));
                i += 2;
            } else {
                out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
            }
        }
        return out.toString();
    }
}
