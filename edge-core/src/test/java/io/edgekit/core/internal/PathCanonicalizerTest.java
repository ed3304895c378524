package io.edgekit.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.PathOptions;
import io.edgekit.core.PathOptions.Action;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PathCanonicalizerTest {
    private static String canonical(String raw, PathOptions options) {
        PathCanonicalizer.Result result = PathCanonicalizer.canonicalize(raw, options);
        return result.isRejected() ? "400: " + result.rejection() : result.path();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/|/",
        "/admin|/admin",
        "/admin/|/admin/",
        "/admin/../admin|/admin",
        "/public/../admin|/admin",
        "/%61dmin|/admin",
        "/%61%64%6D%69%6E/x|/admin/x",
        "//admin|/admin",
        "/a//b///c|/a/b/c",
        "/admin;x|/admin",
        "/admin;jsessionid=1/secret;a=b|/admin/secret",
        "/./admin|/admin",
        "/admin/.|/admin/",
        "/admin/..|/",
        "/../../admin|/admin",
        "/%2e%2e/admin|/admin",
        "/%2E/admin|/admin",
        "/public/%2e%2e/admin|/admin",
        "/.%2e/admin|/admin",
        "/caf%c3%a9|/caf%C3%A9",
        "/a%20b|/a%20b",
        "/a%7e|/a~",
        "/public/..%2fadmin|400: the path has an encoded slash",
        "/admin%2F|400: the path has an encoded slash",
        "/admin%5c..%5cx|400: the path has an encoded backslash",
        "/admin\\x|400: the path has a backslash",
        "/admin%00.json|400: the path has an encoded NUL",
        "/admin%zz|400: the path has an invalid percent-encoding",
        "/admin%4|400: the path has an incomplete percent-encoding",
        "/admin%|400: the path has an incomplete percent-encoding",
        "admin|400: the path must start with /",
    })
    void defaultOptions(String raw, String expected) {
        assertEquals(expected, canonical(raw, PathOptions.DEFAULT));
    }

    @Test
    void optionsChangeWhatHappens() {
        assertEquals("/a/b", canonical("/a%2fb", PathOptions.DEFAULT.withEncodedSlash(Action.DECODE)));
        assertEquals("/public/%2F../admin", canonical("/public/%2f../admin",
                PathOptions.DEFAULT.withEncodedSlash(Action.KEEP)));
        assertEquals("/", canonical("/public/..%2f..", PathOptions.DEFAULT.withEncodedSlash(Action.DECODE)));
        assertEquals("/a/b", canonical("/a\\b", PathOptions.DEFAULT.withBackslash(Action.DECODE)));
        assertEquals("/a%5Cb", canonical("/a%5cb", PathOptions.DEFAULT.withBackslash(Action.KEEP)));
        assertEquals("/a%00", canonical("/a%00", PathOptions.DEFAULT.withEncodedNul(Action.KEEP)));
        assertEquals("/a//b", canonical("/a//b", PathOptions.DEFAULT.withMergeSlashes(false)));
        assertEquals("/admin;x", canonical("/admin;x", PathOptions.DEFAULT.withPathParameters(Action.KEEP)));
        assertEquals("400: the path has ;parameters",
                canonical("/admin;x", PathOptions.DEFAULT.withPathParameters(Action.REJECT)));
        assertEquals("/admin/caf%C3%A9", canonical("/ADMIN/Caf%c3%a9", PathOptions.DEFAULT.withCaseInsensitive(true)));
    }

    /** Random paths from a hostile alphabet: nothing throws, and the canonical form is a fixed point. */
    @Test
    void fuzzedPathsAreIdempotentAndFreeOfDotSegments() {
        long seed = 20261127L;
        Random random = new Random(seed);
        String[] atoms = {"/", "/", "a", "B", ".", "..", "%2e", "%2E", "%2f", "%5c", "%00", "%61", "%zz", "%", ";",
            ";x=1", "\\", "//", "%25", "~", "-", "%c3%a9", "admin", "%2", "?", "#", " "};
        PathOptions[] variants = {
            PathOptions.DEFAULT,
            PathOptions.DEFAULT.withEncodedSlash(Action.DECODE).withBackslash(Action.DECODE),
            PathOptions.DEFAULT.withEncodedSlash(Action.KEEP).withBackslash(Action.KEEP)
                    .withEncodedNul(Action.KEEP).withPathParameters(Action.KEEP),
            PathOptions.DEFAULT.withMergeSlashes(false).withCaseInsensitive(true),
        };
        for (int n = 0; n < 50_000; n++) {
            StringBuilder raw = new StringBuilder("/");
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                raw.append(atoms[random.nextInt(atoms.length)]);
            }
            PathOptions options = variants[n % variants.length];
            String input = raw.toString();
            PathCanonicalizer.Result once = PathCanonicalizer.canonicalize(input, options);
            if (once.isRejected()) {
                continue;
            }
            String path = once.path();
            String context = "seed " + seed + ", case " + n + ": " + input + " -> " + path + " with " + options;
            assertTrue(path.startsWith("/"), context);
            PathCanonicalizer.Result twice = PathCanonicalizer.canonicalize(path, options);
            assertFalse(twice.isRejected(), context + " then " + twice.rejection());
            assertEquals(path, twice.path(), context);
            for (String segment : path.split("/", -1)) {
                assertFalse(segment.equals("..") || segment.equals("."), context);
                assertFalse(segment.equalsIgnoreCase("%2e%2e") || segment.equalsIgnoreCase("%2e"), context);
            }
            if (options.mergeSlashes()) {
                assertFalse(path.contains("//"), context);
            }
        }
    }
}
