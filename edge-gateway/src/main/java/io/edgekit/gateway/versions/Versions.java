package io.edgekit.gateway.versions;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Filter;
import io.edgekit.core.Route;
import io.edgekit.core.internal.HttpDates;
import java.net.URI;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * API versions as routes: by path prefix (a route on {@code /v2/**}), by the {@code API-Version} field
 * ({@link #byHeader}), or by media type in {@code Accept} ({@link #byMediaType}); and the fields that tell
 * clients an old version is going away ({@link #deprecated}): {@code Deprecation} (RFC 9745),
 * {@code Sunset} (RFC 8594) and their {@code Link}s. A canary between two versions' upstreams is a
 * weighted {@code Split} sticky by {@code Split.Key.consumer()}.
 */
public final class Versions {

    private Versions() {
    }

    /** The route's requests name version {@code version} in field {@code API-Version}. */
    public static Route.Builder byHeader(Route.Builder route, String version) {
        return route.header("API-Version", requireNonNull(version, "version"));
    }

    /**
     * The route's requests accept media type {@code type} with parameter {@code version=v} or the vendor
     * form ({@code application/vnd.example.v2+json}): give the exact media type to look for.
     */
    public static Route.Builder byMediaType(Route.Builder route, String mediaType) {
        requireNonNull(mediaType, "mediaType");
        return route.headerRegex("accept", "(?i)(?:.*[,\\s])?" + Pattern.quote(mediaType) + "(?:\\s*[;,].*)?");
    }

    /**
     * Marks every response of a route as of a deprecated version: {@code Deprecation: @<epoch seconds>} from
     * {@code deprecatedAt}, {@code Sunset} with {@code sunsetAt} (null: none), and a {@code Link} to
     * {@code documentation} with {@code rel="deprecation"} (null: none).
     */
    public static Filter deprecated(Instant deprecatedAt, Instant sunsetAt, URI documentation) {
        requireNonNull(deprecatedAt, "deprecatedAt");
        if (sunsetAt != null && sunsetAt.isBefore(deprecatedAt)) {
            throw new IllegalArgumentException("sunset " + sunsetAt + " before deprecation " + deprecatedAt);
        }
        String deprecation = "@" + deprecatedAt.getEpochSecond();
        String sunset = sunsetAt == null ? null : HttpDates.format(sunsetAt.getEpochSecond());
        String link = documentation == null ? null : "<" + documentation + ">; rel=\"deprecation\"; type=\"text/html\"";
        return Filter.named("deprecated", (exchange, request, next) -> next.proceed(request).thenApply(response -> {
            var out = response.withHeader("Deprecation", deprecation);
            if (sunset != null) {
                out = out.withHeader("Sunset", sunset);
            }
            if (link != null) {
                out = out.withHeaders(out.headers().withAdded("Link", link));
            }
            return out;
        }));
    }
}
