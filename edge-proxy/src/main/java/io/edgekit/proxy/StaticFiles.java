package io.edgekit.proxy;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Body;
import io.edgekit.core.Exchange;
import io.edgekit.core.Handler;
import io.edgekit.core.Headers;
import io.edgekit.core.PathPattern;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.proxy.internal.cache.ByteRanges;
import io.edgekit.proxy.internal.io.FileBody;
import io.edgekit.core.internal.HttpDates;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLDecoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.zip.CRC32;

/**
 * Static files as route targets: a directory or a class-path location, with ETag, Last-Modified,
 * conditional requests (304), single byte ranges (206, 416), HEAD, content types by extension, and no
 * way out of the root (the edge's canonical path has no dot segments; decoded names may not hold
 * separators; the real path, symbolic links resolved, must stay under the real root). File access runs
 * on the edge's offload executor, never on an IO thread; file bodies stream from the file.
 *
 * <p>On a {@code /static/**} route the file is the path below {@code /static}; a directory serves its
 * {@code index.html}.
 */
public final class StaticFiles {
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("md", "text/markdown; charset=utf-8"),
            Map.entry("xml", "application/xml"), Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"), Map.entry("ico", "image/x-icon"), Map.entry("pdf", "application/pdf"),
            Map.entry("wasm", "application/wasm"), Map.entry("woff", "font/woff"), Map.entry("woff2", "font/woff2"),
            Map.entry("mp4", "video/mp4"), Map.entry("webm", "video/webm"), Map.entry("csv", "text/csv; charset=utf-8"));

    private StaticFiles() {
    }

    /** Serves files under {@code root}. */
    public static Handler directory(Path root) {
        requireNonNull(root, "root");
        Path base;
        try {
            base = root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("root: " + root + " (expected: an existing directory)");
        }
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException("root: " + root + " (expected: an existing directory)");
        }
        return handler("staticFiles(" + root.getFileName() + ")", (relative, request) -> serveFile(base, relative, request));
    }

    /** Serves class-path resources under {@code location} (such as {@code static}) of {@code loader}. */
    public static Handler classpath(ClassLoader loader, String location) {
        requireNonNull(loader, "loader");
        String prefix = requireNonNull(location, "location").replaceAll("^/+|/+$", "");
        return handler("classpath(" + prefix + ")", (relative, request) -> serveResource(loader, prefix, relative, request));
    }

    /** Answers one file: the relative path below the route, on the offload executor (it may block). */
    private interface Source {
        Response serve(String relative, Request request);
    }

    private static Handler handler(String name, Source source) {
        return Handler.named(name, (exchange, request) -> {
            Response early = checkMethod(request);
            if (early != null) {
                return early.completed();
            }
            String relative = relativePath(exchange, request);
            if (relative == null) {
                return notFound().completed();
            }
            return exchange.offload(() -> source.serve(relative, request));
        });
    }

    private static Response checkMethod(Request request) {
        if (request.method().equals("GET") || request.method().equals("HEAD")) {
            return null;
        }
        return Response.problem(405, "Method Not Allowed", "static files answer GET and HEAD")
                .withHeader("allow", "GET, HEAD");
    }

    /** The decoded path below the route's prefix, or null when a segment decodes to a separator or NUL. */
    private static String relativePath(Exchange exchange, Request request) {
        String path = request.path();
        PathPattern pattern = exchange.routeMatch().map(m -> m.route().path()).orElse(null);
        if (pattern != null && pattern.kind() == PathPattern.Kind.PREFIX && pattern.paramNames().isEmpty()) {
            String prefix = pattern.literalPrefix();
            if (path.startsWith(prefix)) {
                path = path.substring(prefix.length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            String decoded;
            try {
                decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            if (decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0 || decoded.indexOf('\0') >= 0
                    || decoded.equals("..") || decoded.equals(".")) {
                return null;
            }
            out.append('/').append(decoded);
        }
        return out.toString();
    }

    private static Response serveFile(Path base, String relative, Request request) {
        try {
            Path file = base.resolve(relative.isEmpty() ? "." : relative.substring(1)).normalize();
            if (!file.startsWith(base) || !Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
                return notFound();
            }
            Path real = file.toRealPath();
            if (!real.startsWith(base)) {
                return notFound(); // a link out of the root
            }
            if (Files.isDirectory(real)) {
                real = real.resolve("index.html");
                if (!Files.isRegularFile(real)) {
                    return notFound();
                }
            }
            if (!Files.isRegularFile(real) || !Files.isReadable(real)) {
                return notFound();
            }
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
            long size = attributes.size();
            long modified = attributes.lastModifiedTime().toMillis();
            String etag = "W/\"" + Long.toHexString(size) + "-" + Long.toHexString(modified) + "\"";
            Response conditional = conditional(request, etag, modified, size, real.getFileName().toString());
            if (conditional != null) {
                return conditional;
            }
            long[] range = range(request, etag, modified, size);
            if (range != null && range.length == 0) {
                return unsatisfiable(size);
            }
            Response head = headers(etag, modified, real.getFileName().toString(), size, range);
            if (request.method().equals("HEAD") || size == 0) {
                return head.withHeader("content-length", String.valueOf(range == null ? size : range[1] - range[0] + 1));
            }
            FileChannel channel = FileChannel.open(real, StandardOpenOption.READ);
            long offset = range == null ? 0 : range[0];
            long length = range == null ? size : range[1] - range[0] + 1;
            return head.withBody(new FileBody(channel, offset, length));
        } catch (IOException e) {
            return notFound();
        }
    }

    private static Response serveResource(ClassLoader loader, String prefix, String relative, Request request) {
        String name = prefix + (relative.isEmpty() ? "/index.html" : relative);
        URL url = loader.getResource(name);
        if (url == null && !relative.isEmpty()) {
            url = loader.getResource(name + "/index.html");
            name = name + "/index.html";
        }
        if (url == null || name.endsWith("/")) {
            return notFound();
        }
        try {
            URLConnection connection = url.openConnection();
            long modified = connection.getLastModified();
            byte[] bytes;
            try (InputStream in = connection.getInputStream()) {
                bytes = in.readNBytes(64 * 1024 * 1024);
            }
            CRC32 crc = new CRC32();
            crc.update(bytes);
            String etag = "\"" + Long.toHexString(crc.getValue()) + "-" + Integer.toHexString(bytes.length) + "\"";
            String fileName = name.substring(name.lastIndexOf('/') + 1);
            Response conditional = conditional(request, etag, modified, bytes.length, fileName);
            if (conditional != null) {
                return conditional;
            }
            long[] range = range(request, etag, modified, bytes.length);
            if (range != null && range.length == 0) {
                return unsatisfiable(bytes.length);
            }
            Response head = headers(etag, modified, fileName, bytes.length, range);
            byte[] slice = range == null ? bytes : java.util.Arrays.copyOfRange(bytes, (int) range[0], (int) range[1] + 1);
            if (request.method().equals("HEAD")) {
                return head.withHeader("content-length", String.valueOf(slice.length));
            }
            return head.withBody(Body.of(slice));
        } catch (IOException e) {
            return notFound();
        }
    }

    private static Response headers(String etag, long modified, String fileName, long size, long[] range) {
        Headers.Builder headers = Headers.builder()
                .add("content-type", contentType(fileName))
                .add("etag", etag)
                .add("accept-ranges", "bytes")
                .add("x-content-type-options", "nosniff");
        if (modified > 0) {
            headers.add("last-modified", httpDate(modified));
        }
        if (range != null) {
            headers.add("content-range", ByteRanges.contentRange(range, size));
        }
        return Response.of(range == null ? 200 : 206, headers.build(), Body.empty());
    }

    /** 304 when the client's copy is current, else null. */
    private static Response conditional(Request request, String etag, long modified, long size, String name) {
        String ifNoneMatch = request.headers().firstOrNull("if-none-match");
        boolean notModified;
        if (ifNoneMatch != null) {
            notModified = matches(ifNoneMatch, etag);
        } else {
            Instant since = parseDate(request.headers().firstOrNull("if-modified-since"));
            notModified = since != null && modified > 0 && modified / 1000 <= since.getEpochSecond();
        }
        if (!notModified) {
            return null;
        }
        Headers.Builder headers = Headers.builder().add("etag", etag);
        if (modified > 0) {
            headers.add("last-modified", httpDate(modified));
        }
        return Response.of(304, headers.build(), Body.empty());
    }

    private static long[] range(Request request, String etag, long modified, long size) {
        return ByteRanges.single(request.headers(), etag, modified > 0 ? modified / 1000 : Long.MIN_VALUE, size);
    }

    private static Response unsatisfiable(long size) {
        return ByteRanges.unsatisfiable(size, "the range lies outside the file");
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        String opaque = etag.startsWith("W/") ? etag.substring(2) : etag;
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || (c.startsWith("W/") ? c.substring(2) : c).equals(opaque)) {
                return true; // weak comparison, as If-None-Match asks (RFC 9110 13.1.2)
            }
        }
        return false;
    }

    private static String contentType(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String extension = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(extension, "application/octet-stream");
    }

    private static String httpDate(long millis) {
        return HttpDates.format(millis / 1000);
    }

    private static Instant parseDate(String value) {
        long seconds = HttpDates.epochSeconds(value);
        return seconds == HttpDates.INVALID ? null : Instant.ofEpochSecond(seconds);
    }

    private static Response notFound() {
        return Response.problem(404, "Not Found", "no such file");
    }
}
