package io.edgekit.core;

import static java.util.Objects.requireNonNull;

/**
 * How the edge makes a request path canonical before anything looks at it. The one canonical path is
 * what the router matches, what policies and filters see, and what is sent upstream, so no spelling of
 * a path can reach an upstream without passing the policies of the route it really names.
 *
 * <p>Always: percent-encoded unreserved characters are decoded ({@code %61} is {@code a}), remaining
 * escapes use upper-case hex, invalid escapes are rejected, {@code .} and {@code ..} segments are
 * removed (never above the root).
 *
 * @param mergeSlashes   {@code //} counts as {@code /} (default true)
 * @param pathParameters what to do with {@code ;params} in a segment ({@code /admin;x}): by default
 *                       they are removed from the canonical path
 * @param encodedSlash   what to do with {@code %2F} (default: reject with 400)
 * @param backslash      what to do with {@code %5C} (default: reject with 400)
 * @param encodedNul     what to do with {@code %00} (default: reject with 400; DECODE is not allowed)
 * @param caseInsensitive match paths ignoring case: the canonical path is lower-cased, as are route
 *                       patterns (for upstreams that treat paths case-insensitively)
 */
public record PathOptions(boolean mergeSlashes, Action pathParameters, Action encodedSlash, Action backslash,
        Action encodedNul, boolean caseInsensitive) {

    /** What to do with a character or part that could let two spellings name one resource. */
    public enum Action {
        /** Answer 400. */
        REJECT,
        /** Decode it: {@code %2F} becomes a real {@code /}; for path parameters, remove them. */
        DECODE,
        /** Keep it as it is (still percent-encoded): it is an ordinary character of its segment. */
        KEEP
    }

    public static final PathOptions DEFAULT =
            new PathOptions(true, Action.DECODE, Action.REJECT, Action.REJECT, Action.REJECT, false);

    public PathOptions {
        requireNonNull(pathParameters, "pathParameters");
        requireNonNull(encodedSlash, "encodedSlash");
        requireNonNull(backslash, "backslash");
        requireNonNull(encodedNul, "encodedNul");
        if (encodedNul == Action.DECODE) {
            throw new IllegalArgumentException("encodedNul: DECODE (expected: REJECT or KEEP)");
        }
    }

    public PathOptions withMergeSlashes(boolean merge) {
        return new PathOptions(merge, pathParameters, encodedSlash, backslash, encodedNul, caseInsensitive);
    }

    public PathOptions withPathParameters(Action action) {
        return new PathOptions(mergeSlashes, action, encodedSlash, backslash, encodedNul, caseInsensitive);
    }

    public PathOptions withEncodedSlash(Action action) {
        return new PathOptions(mergeSlashes, pathParameters, action, backslash, encodedNul, caseInsensitive);
    }

    public PathOptions withBackslash(Action action) {
        return new PathOptions(mergeSlashes, pathParameters, encodedSlash, action, encodedNul, caseInsensitive);
    }

    public PathOptions withEncodedNul(Action action) {
        return new PathOptions(mergeSlashes, pathParameters, encodedSlash, backslash, action, caseInsensitive);
    }

    public PathOptions withCaseInsensitive(boolean caseInsensitive) {
        return new PathOptions(mergeSlashes, pathParameters, encodedSlash, backslash, encodedNul, caseInsensitive);
    }
}
