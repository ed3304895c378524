package io.edgekit.proxy.internal.upstream;

import io.edgekit.core.Request;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does the edge's own HTTP/1.1 upstream codec cost per exchange: encoding a request head with the
 * forwarding fields the edge adds ({@code encodeRequestHead}), and parsing a typical upstream response
 * head ({@code parseResponseHead}, the head NGINX sends for a small static file). Lives in the codec's
 * package because the codec is internal.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar Http1CodecBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Http1CodecBenchmark {
    private Request request;
    private byte[] response;

    @Setup
    public void setup() {
        request = Request.builder().authority("127.0.0.1:8080").uri("/api/orders/42?expand=items")
                .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36")
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .header("Accept-Encoding", "gzip, deflate, br")
                .header("x-forwarded-for", "127.0.0.1")
                .header("x-forwarded-proto", "http")
                .header("x-forwarded-host", "127.0.0.1:8080")
                .header("x-forwarded-port", "8080")
                .header("forwarded", "for=127.0.0.1;proto=http;host=\"127.0.0.1:8080\"")
                .header("x-request-id", "3f2a9c0e5b7d41e8a6c4f1d2b3e4a5c6")
                .build();
        response = ("HTTP/1.1 200 OK\r\n"
                + "Server: nginx/1.22.1\r\n"
                + "Date: Sat, 28 Nov 2026 01:00:00 GMT\r\n"
                + "Content-Type: text/plain\r\n"
                + "Content-Length: 13\r\n"
                + "Last-Modified: Fri, 27 Nov 2026 20:00:00 GMT\r\n"
                + "Connection: keep-alive\r\n"
                + "ETag: \"6568a0c0-d\"\r\n"
                + "Accept-Ranges: bytes\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Benchmark
    public ByteBuffer encodeRequestHead() {
        return Http1RequestHead.encode(request, "127.0.0.1:9001", 0, null);
    }

    @Benchmark
    public Http1ResponseHead parseResponseHead() throws Http1ResponseHead.ProtocolException {
        return Http1ResponseHead.parse(response, 0, response.length);
    }
}
