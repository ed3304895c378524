package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgekit.core.internal.EngineAttrs;
import io.edgekit.core.internal.RequestIds;
import io.edgekit.core.testing.EdgeTester;
import io.edgekit.core.testing.InMemoryTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Randomised hostile input through the engine's front door (fixed seeds, printed on failure): nothing
 * throws, and the invariants the rest of the edge relies on hold for every input.
 */
class HostileInputFuzzTest {
    private static final String[] PATH_ATOMS = {"/", "//", "admin", "ADMIN", "public", ".", "..", "%2e", "%2E%2e",
        "%61", "%2f", "%5c", "%00", ";", ";x=1", "\\", "%", "%zz", "%c3%a9", "~", "%7E", "x"};
    private static final String[] NAMES = {"x-forwarded-for", "X-Forwarded-Proto", "forwarded", "x-real-ip",
        "x-request-id", "connection", "x-user", "X-Original-URL", "host", "te", "transfer-encoding",
        "content-length", "keep-alive", "x-custom", "upgrade", "proxy-authorization", "x-forwarded-host"};
    private static final String[] VALUES = {"", "1.2.3.4", "10.0.0.1, 1.2.3.4", "::1", "[2001:db8::1]:80",
        "for=1.2.3.4;proto=https", "for=\"[::1]\", for=unknown", "close, x-user, x-forwarded-for", "evil.example.com",
        "a,b,,c", "\"quoted\"", "9999999999999999999", "chunked", "https", "0", "abc-123", "x".repeat(300),
        "é", "1.2.3.4:5678", "256.1.1.1", "01.2.3.4", "for=;;;", ","};

    private static Edge edge(TrustedProxies trusted) {
        Handler ok = (ex, r) -> Response.of(200).completed();
        return Edge.builder().trustedProxies(trusted).edgeOnlyHeaders("x-user")
                .route(Route.named("admin").path("/admin/**").to(ok).build())
                .route(Route.named("public").path("/**").to(ok).build())
                .build();
    }

    @Test
    void randomHeadersNeverBreakTheForwardingInvariants() {
        long seed = 7_919L;
        Random random = new Random(seed);
        EdgeTester untrusted = new EdgeTester(edge(TrustedProxies.of("10.0.0.0/8")), new InMemoryTransport());
        for (int n = 0; n < 20_000; n++) {
            Headers.Builder headers = Headers.builder();
            int count = random.nextInt(8);
            for (int i = 0; i < count; i++) {
                headers.add(NAMES[random.nextInt(NAMES.length)], VALUES[random.nextInt(VALUES.length)]);
            }
            Request request = Request.builder().authority("edge.test").uri("/x").headers(headers.build()).build();
            boolean fromProxy = random.nextBoolean();
            String peer = fromProxy ? "10.0.0.1" : "203.0.113.7";
            String context = "seed " + seed + ", case " + n + ": " + request.headers() + " from " + peer;
            Exchange exchange = untrusted.exchange(request, peer);
            Headers out = exchange.request().headers();
            assertEquals(1, out.count("x-forwarded-for"), context);
            assertEquals(1, out.count("forwarded"), context);
            assertEquals(1, out.count("x-request-id"), context);
            assertTrue(RequestIds.isValid(exchange.requestId()), context);
            assertFalse(out.contains("x-user"), context);
            assertFalse(out.contains("x-original-url"), context);
            assertFalse(out.contains("connection") || out.contains("te") || out.contains("transfer-encoding")
                    || out.contains("keep-alive") || out.contains("upgrade") || out.contains("host"), context);
            assertNotNull(exchange.clientAddress(), context);
            if (!fromProxy) {
                assertEquals("203.0.113.7", exchange.clientIp(), context);
                assertEquals("203.0.113.7", out.firstOrNull("x-forwarded-for"), context);
                assertEquals("http", out.firstOrNull("x-forwarded-proto"), context);
            } else {
                assertTrue(out.firstOrNull("x-forwarded-for").endsWith("10.0.0.1"), context);
            }
        }
    }

    @Test
    void randomPathsRouteToAdminExactlyWhenTheyNameIt() {
        long seed = 104_729L;
        Random random = new Random(seed);
        for (PathOptions options : List.of(PathOptions.DEFAULT, PathOptions.DEFAULT.withCaseInsensitive(true),
                PathOptions.DEFAULT.withEncodedSlash(PathOptions.Action.DECODE).withMergeSlashes(false))) {
            Edge edge = Edge.builder().paths(options)
                    .route(Route.named("admin").path("/admin/**").to((ex, r) -> Response.of(200).completed()).build())
                    .route(Route.named("public").path("/**").to((ex, r) -> Response.of(200).completed()).build())
                    .build();
            EdgeTester tester = new EdgeTester(edge, new InMemoryTransport());
            int admin = 0;
            for (int n = 0; n < 20_000; n++) {
                StringBuilder raw = new StringBuilder();
                int length = 1 + random.nextInt(6);
                for (int i = 0; i < length; i++) {
                    raw.append('/').append(PATH_ATOMS[random.nextInt(PATH_ATOMS.length)]);
                }
                Request request = Request.builder().authority("edge.test").path(raw.toString()).build();
                String context = "seed " + seed + ", case " + n + ": " + raw + " with " + options;
                Exchange exchange = tester.exchange(request, "203.0.113.7");
                if (exchange.get(EngineAttrs.REJECTION).isPresent()) {
                    continue;
                }
                String path = exchange.request().path();
                String compared = options.caseInsensitive() ? path.toLowerCase(Locale.ROOT) : path;
                boolean namesAdmin = compared.equals("/admin") || compared.startsWith("/admin/")
                        || (!options.mergeSlashes() && compared.matches("^/admin(/.*)?$"));
                String routed = edge.router().match(exchange.request()).orElseThrow().route().id();
                assertEquals(namesAdmin ? "admin" : "public", routed, context + " -> " + path);
                if (namesAdmin) {
                    admin++;
                }
            }
            assertTrue(admin > 100, "the generator reaches the protected route: " + admin);
        }
    }

    @Test
    void headersBehaveLikeAListOfPairs() {
        long seed = 31L;
        Random random = new Random(seed);
        for (int n = 0; n < 5_000; n++) {
            Headers headers = Headers.of();
            List<String[]> model = new ArrayList<>();
            for (int step = 0; step < 12; step++) {
                String name = NAMES[random.nextInt(5)];
                String variant = random.nextBoolean() ? name.toUpperCase(Locale.ROOT) : name;
                String value = VALUES[random.nextInt(VALUES.length)];
                switch (random.nextInt(3)) {
                    case 0 -> {
                        headers = headers.withAdded(variant, value);
                        model.add(new String[] {variant, value});
                    }
                    case 1 -> {
                        headers = headers.with(variant, value);
                        model.removeIf(p -> p[0].equalsIgnoreCase(name));
                        model.add(new String[] {variant, value});
                    }
                    default -> {
                        headers = headers.without(variant);
                        model.removeIf(p -> p[0].equalsIgnoreCase(name));
                    }
                }
                String context = "seed " + seed + ", case " + n + ", step " + step;
                assertEquals(model.size(), headers.size(), context);
                for (int i = 0; i < model.size(); i++) {
                    assertEquals(model.get(i)[0], headers.name(i), context);
                    assertEquals(model.get(i)[1], headers.value(i), context);
                }
                List<String> expected = model.stream().filter(p -> p[0].equalsIgnoreCase(name)).map(p -> p[1]).toList();
                assertEquals(expected, headers.all(name.toUpperCase(Locale.ROOT)), context);
            }
        }
    }
}
