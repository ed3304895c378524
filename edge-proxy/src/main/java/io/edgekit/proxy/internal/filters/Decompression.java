package io.edgekit.proxy.internal.filters;

import io.edgekit.core.Attr;
import io.edgekit.core.Body;
import io.edgekit.core.Exchange;
import io.edgekit.core.Filter;
import io.edgekit.core.Headers;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.internal.BytesBody;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Decodes gzip or deflate responses for clients that do not accept the coding (RFC 9110 section
 * 12.5.3). In-memory bodies are decoded here, up to a bound (a decompression bomb gets 502); streamed
 * bodies are marked for the runtime, which decodes them as they stream, in bounded memory.
 */
public final class Decompression implements Filter {
    /** Set on the exchange when a streamed body is to be decoded on the way out: gzip or deflate. */
    public static final Attr<String> STREAM_DECODING = Attr.named("edgekit.decompression");

    private final long maxDecodedBytes;

    public Decompression(long maxDecodedBytes) {
        if (maxDecodedBytes < 1) {
            throw new IllegalArgumentException("maxDecodedBytes: " + maxDecodedBytes + " (expected: >= 1)");
        }
        this.maxDecodedBytes = maxDecodedBytes;
    }

    @Override
    public String name() {
        return "decompression";
    }

    @Override
    public CompletionStage<Response> filter(Exchange exchange, Request request, Next next) {
        String accept = request.headers().firstOrNull("accept-encoding");
        return next.proceed(request).thenApply(response -> {
            String coding = response.headers().firstOrNull("content-encoding");
            if (coding == null) {
                return response;
            }
            String lower = coding.trim().toLowerCase(Locale.ROOT);
            if (!lower.equals("gzip") && !lower.equals("x-gzip") && !lower.equals("deflate")) {
                return response;
            }
            String normal = lower.equals("deflate") ? "deflate" : "gzip";
            if (accepts(accept, normal)) {
                return response;
            }
            Headers.Builder headers = response.headers().toBuilder().remove("content-encoding")
                    .remove("content-length");
            String etag = headers.firstOrNull("etag");
            if (etag != null && etag.startsWith("\"")) {
                headers.set("etag", "W/" + etag);
            }
            Body body = response.body();
            if (body instanceof BytesBody bytes) {
                byte[] decoded = decode(bytes.unsafeBytes(), normal);
                if (decoded == null) {
                    return Response.problem(502, "Bad Gateway", "the upstream's body could not be decoded");
                }
                return response.withHeaders(headers.build()).withBody(Body.of(decoded));
            }
            exchange.put(STREAM_DECODING, normal);
            return response.withHeaders(headers.build());
        });
    }

    /** Whether {@code accept} (an Accept-Encoding value, or null) allows {@code coding}. */
    static boolean accepts(String accept, String coding) {
        String chosen = Compression.choose(accept);
        if (chosen == null) {
            return false; // no Accept-Encoding: only identity is safe to send
        }
        if (chosen.equals(coding)) {
            return true;
        }
        for (String element : accept.split(",")) {
            String[] parts = element.trim().split(";");
            String name = parts[0].trim().toLowerCase(Locale.ROOT);
            boolean refused = parts.length > 1 && parts[1].trim().replace(" ", "").matches("q=0(\\.0*)?");
            if ((name.equals(coding) || (coding.equals("gzip") && name.equals("x-gzip")) || name.equals("*"))
                    && !refused) {
                return true;
            }
        }
        return false;
    }

    private byte[] decode(byte[] data, String coding) {
        try (InputStream in = coding.equals("gzip") ? new GZIPInputStream(new ByteArrayInputStream(data))
                : new InflaterInputStream(new ByteArrayInputStream(data))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length * 3));
            byte[] chunk = new byte[8192];
            for (int n; (n = in.read(chunk)) > 0;) {
                if (out.size() + (long) n > maxDecodedBytes) {
                    return null;
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            return null;
        }
    }
}
