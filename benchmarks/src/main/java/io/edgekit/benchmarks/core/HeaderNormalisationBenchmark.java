package io.edgekit.benchmarks.core;

import io.edgekit.core.Edge;
import io.edgekit.core.Exchange;
import io.edgekit.core.ForwardedFields;
import io.edgekit.core.Request;
import io.edgekit.core.TrustedProxies;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does making a request canonical cost: one pass over a browser-like header set (hop-by-hop and
 * Connection-named fields dropped, forwarding fields replaced or appended, request id), the client
 * address resolved, and the path made canonical? {@code clean} paths take the fast path; {@code hostile}
 * ones ({@code /a/./b/../%63;x//d}) the full one. {@code peer} untrusted replaces the forwarding
 * fields, trusted appends to a two-hop chain. {@code written} {@code all} is the default (every forwarding
 * field and the request id field), {@code lean} writes {@code X-Forwarded-For} alone and no id field, as
 * the bench server does without {@code --filters}.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar HeaderNormalisationBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderNormalisationBenchmark {
    @Param({"untrusted", "trusted"})
    String peer;

    @Param({"clean", "hostile"})
    String path;

    @Param({"all", "lean"})
    String written;

    private Edge edge;
    private Request request;
    private InetSocketAddress peerAddress;

    @Setup
    public void setup() throws UnknownHostException {
        Edge.Builder builder = Edge.builder().trustedProxies(TrustedProxies.of("10.0.0.0/8"));
        if (written.equals("lean")) {
            builder.forwardedFields(ForwardedFields.X_FORWARDED_FOR).requestIdField(false);
        }
        edge = builder.build();
        request = Request.builder().authority("shop.example.com")
                .uri(path.equals("clean") ? "/api/orders/42?expand=items" : "/api/./orders/../%6frders;v=1//42")
                .header("Host", "shop.example.com")
                .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36")
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .header("Accept-Language", "en-GB,en;q=0.5")
                .header("Accept-Encoding", "gzip, deflate, br")
                .header("Connection", "keep-alive")
                .header("Cookie", "session=abc123; theme=dark")
                .header("X-Forwarded-For", "198.51.100.7, 10.1.1.1")
                .header("X-Forwarded-Proto", "https")
                .header("X-Request-Id", "req-0123456789")
                .build();
        peerAddress = new InetSocketAddress(InetAddress.getByName(peer.equals("trusted") ? "10.0.0.2" : "203.0.113.9"),
                40000);
    }

    @Benchmark
    public Exchange accept() {
        return edge.runtime().accept(Exchange.builder(request).peer(peerAddress), 8080);
    }
}
