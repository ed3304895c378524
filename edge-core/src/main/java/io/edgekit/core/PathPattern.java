package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The path part of a route, one of four kinds, in order of precedence when several match:
 * <ol>
 *   <li>{@code EXACT} {@code /health}: the path equals the pattern;</li>
 *   <li>{@code TEMPLATE} {@code /users/{id}/orders}: as many segments, literal ones equal, each
 *       {@code {name}} takes one non-empty segment (literal segments win over parameters);</li>
 *   <li>{@code PREFIX} {@code /api/**}: {@code /api} itself and everything below it, whole segments
 *       only ({@code /apis} does not match); longer prefixes win; a prefix may hold parameters
 *       ({@code /users/{id}/**});</li>
 *   <li>{@code REGEX}: a Java regular expression that must match the whole path; tried last, in the
 *       order the routes were added.</li>
 * </ol>
 */
public final class PathPattern {

    /** The kinds of pattern, in order of precedence. */
    public enum Kind { EXACT, TEMPLATE, PREFIX, REGEX }

    private final Kind kind;
    private final String text;
    private final List<String> segments;
    private final List<String> paramNames;
    private final Pattern regex;

    private PathPattern(Kind kind, String text, List<String> segments, List<String> paramNames, Pattern regex) {
        this.kind = kind;
        this.text = text;
        this.segments = segments;
        this.paramNames = paramNames;
        this.regex = regex;
    }

    /**
     * Parses a pattern: ending in {@code /**} makes a prefix, a {@code {name}} segment a template,
     * anything else an exact path.
     */
    public static PathPattern of(String pattern) {
        requireNonNull(pattern, "pattern");
        if (pattern.isEmpty() || pattern.charAt(0) != '/') {
            throw new IllegalArgumentException("path: \"" + pattern + "\" (expected: starts with /)");
        }
        boolean prefix = pattern.equals("/**") || pattern.endsWith("/**");
        String body = prefix ? pattern.substring(0, pattern.length() - 3) : pattern;
        List<String> segments = split(body);
        List<String> params = new ArrayList<>();
        for (String segment : segments) {
            if (segment.indexOf('*') >= 0) {
                throw new IllegalArgumentException("path: \"" + pattern
                        + "\" (expected: ** only as the last segment)");
            }
            boolean open = segment.startsWith("{");
            boolean close = segment.endsWith("}");
            if (open || close || segment.indexOf('{') >= 0 || segment.indexOf('}') >= 0) {
                if (!open || !close || segment.length() < 3
                        || !segment.substring(1, segment.length() - 1).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("path: \"" + pattern + "\" has segment \"" + segment
                            + "\" (expected: {name} as a whole segment, name of letters, digits and _)");
                }
                String name = segment.substring(1, segment.length() - 1);
                if (params.contains(name)) {
                    throw new IllegalArgumentException("path: \"" + pattern + "\" repeats {" + name + "}");
                }
                params.add(name);
            }
        }
        Kind kind = prefix ? Kind.PREFIX : params.isEmpty() ? Kind.EXACT : Kind.TEMPLATE;
        return new PathPattern(kind, pattern, Collections.unmodifiableList(segments),
                List.copyOf(params), null);
    }

    public static PathPattern regex(String regex) {
        requireNonNull(regex, "regex");
        try {
            return new PathPattern(Kind.REGEX, regex, List.of(), List.of(), Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("pathRegex: \"" + regex + "\" (expected: a Java regex): "
                    + e.getDescription());
        }
    }

    /** Splits a path into its segments: {@code /a/b} is [a, b], {@code /} is [], {@code /a/} is [a, ""]. */
    static List<String> split(String path) {
        List<String> segments = new ArrayList<>();
        if (path.isEmpty() || path.equals("/")) {
            return segments;
        }
        int start = 1;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                segments.add(path.substring(start, i));
                start = i + 1;
            }
        }
        return segments;
    }

    public Kind kind() {
        return kind;
    }

    /** The pattern as written. */
    public String text() {
        return text;
    }

    /** For templates and prefixes: the segments, parameters written {@code {name}}. */
    public List<String> segments() {
        return segments;
    }

    public List<String> paramNames() {
        return paramNames;
    }

    /** For prefixes without parameters: the literal prefix ({@code /api} for {@code /api/**}). */
    public String literalPrefix() {
        return text.substring(0, text.length() - 3);
    }

    boolean matchesRegex(String path) {
        return regex.matcher(path).matches();
    }

    static boolean isParam(String segment) {
        return segment.length() > 2 && segment.charAt(0) == '{';
    }

    @Override
    public String toString() {
        return kind == Kind.REGEX ? "regex:" + text : text;
    }
}
