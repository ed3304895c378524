package io.edgekit.proxy.internal.filters;

import io.edgekit.core.Attr;
import io.edgekit.core.Body;
import io.edgekit.core.Exchange;
import io.edgekit.core.Filter;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.internal.BytesBody;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Response compression negotiated from {@code Accept-Encoding} (gzip or deflate, q-values, {@code *},
 * {@code identity;q=0}). In-memory bodies are compressed here; streamed bodies are marked for the
 * runtime, which compresses them as they stream. Untouched: HEAD, 1xx/204/206/304, bodies already
 * encoded, {@code Cache-Control: no-transform}, types outside the allow-list, bodies known to be smaller
 * than the minimum. A compressible response always carries {@code Vary: Accept-Encoding}; a strong
 * {@code ETag} becomes weak once the bytes change.
 */
public final class Compression implements Filter {
    /** Set on the exchange when a streamed body is to be compressed on the way out: gzip or deflate. */
    public static final Attr<String> STREAM_ENCODING = Attr.named("edgekit.compression");

    private final long minBytes;
    private final List<String> contentTypes;

    public Compression(long minBytes, List<String> contentTypes) {
        if (minBytes < 0) {
            throw new IllegalArgumentException("minBytes: " + minBytes + " (expected: >= 0)");
        }
        this.minBytes = minBytes;
        this.contentTypes = contentTypes.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
    }

    @Override
    public String name() {
        return "compression";
    }

    @Override
    public CompletionStage<Response> filter(Exchange exchange, Request request, Next next) {
        String accept = request.headers().firstOrNull("accept-encoding");
        String chosen = choose(accept);
        boolean head = request.method().equals("HEAD");
        return next.proceed(request).thenApply(response -> {
            if (!isCompressible(response)) {
                return response;
            }
            Response varied = withVary(response);
            if (head || chosen == null || chosen.equals("identity")) {
                return varied;
            }
            if (chosen.equals("none")) {
                return Response.problem(406, "Not Acceptable",
                        "no acceptable content coding (identity refused by accept-encoding)");
            }
            long length = response.body().length();
            if (length >= 0 && length < minBytes) {
                return varied;
            }
            Headers.Builder headers = varied.headers().toBuilder().set("content-encoding", chosen)
                    .remove("content-length");
            String etag = headers.firstOrNull("etag");
            if (etag != null && etag.startsWith("\"")) {
                headers.set("etag", "W/" + etag);
            }
            Body body = response.body();
            if (body instanceof BytesBody bytes) {
                return varied.withHeaders(headers.build()).withBody(Body.of(compress(bytes.unsafeBytes(), chosen)));
            }
            exchange.put(STREAM_ENCODING, chosen);
            return varied.withHeaders(headers.build());
        });
    }

    private boolean isCompressible(Response response) {
        int status = response.status();
        if (status < 200 || status == 204 || status == 206 || status == 304) {
            return false;
        }
        Headers headers = response.headers();
        String encoding = headers.firstOrNull("content-encoding");
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return false;
        }
        String cacheControl = headers.firstOrNull("cache-control");
        if (cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-transform")) {
            return false;
        }
        String type = headers.firstOrNull("content-type");
        if (type == null) {
            return false;
        }
        String lower = type.toLowerCase(Locale.ROOT);
        for (String allowed : contentTypes) {
            if (lower.startsWith(allowed)) {
                return true;
            }
        }
        return false;
    }

    private static Response withVary(Response response) {
        List<String> vary = response.headers().all("vary");
        for (String value : vary) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (t.equalsIgnoreCase("accept-encoding") || t.equals("*")) {
                    return response;
                }
            }
        }
        return response.withHeaders(response.headers().withAdded("vary", "Accept-Encoding"));
    }

    /**
     * The coding to use: {@code gzip} or {@code deflate}; {@code identity} when neither is acceptable but
     * identity is; {@code none} when nothing is; null without an {@code Accept-Encoding}.
     */
    static String choose(String accept) {
        if (accept == null) {
            return null;
        }
        double gzip = -1;
        double deflate = -1;
        double identity = -1;
        double any = -1;
        for (String element : accept.split(",")) {
            String[] parts = element.trim().split(";");
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        q = Double.parseDouble(p.substring(2).trim());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                    if (!(q >= 0 && q <= 1)) {
                        q = 0;
                    }
                }
            }
            switch (coding) {
                case "gzip", "x-gzip" -> gzip = Math.max(gzip, q);
                case "deflate" -> deflate = Math.max(deflate, q);
                case "identity" -> identity = Math.max(identity, q);
                case "*" -> any = q;
                default -> { }
            }
        }
        if (gzip < 0) {
            gzip = any >= 0 ? any : 0;
        }
        if (deflate < 0) {
            deflate = any >= 0 ? any : 0;
        }
        if (identity < 0) {
            identity = any == 0 ? 0 : 1; // identity is acceptable unless refused by name or by *;q=0
        }
        if (gzip > 0 && gzip >= deflate) {
            return "gzip";
        }
        if (deflate > 0) {
            return "deflate";
        }
        return identity > 0 ? "identity" : "none";
    }

    static byte[] compress(byte[] data, String coding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 3));
        if (coding.equals("gzip")) {
            try (GZIPOutputStream stream = new GZIPOutputStream(out)) {
                stream.write(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION); // zlib format, as HTTP's deflate is
        try (DeflaterOutputStream stream = new DeflaterOutputStream(out, deflater)) {
            stream.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.end(); // a deflater passed in is not ended by the stream: free its native memory now
        }
        return out.toByteArray();
    }
}
