package io.edgekit.benchmarks.gateway;

import com.nimbusds.jose.JWSAlgorithm;
import io.edgekit.core.Decision;
import io.edgekit.core.Edge;
import io.edgekit.core.Exchange;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import io.edgekit.core.Route;
import io.edgekit.core.Transport;
import io.edgekit.gateway.auth.ApiKeyAuth;
import io.edgekit.gateway.auth.Consumer;
import io.edgekit.gateway.auth.InMemoryApiKeys;
import io.edgekit.gateway.auth.JwtAuth;
import io.edgekit.gateway.auth.JwtKeys;
import io.edgekit.gateway.cors.Cors;
import io.edgekit.gateway.limits.LimitKey;
import io.edgekit.gateway.limits.LocalRateLimitStore;
import io.edgekit.gateway.limits.RateLimit;
import io.edgekit.gateway.limits.RateLimiting;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the gateway's policies cost: a JWT verified cold (every time: the cache holds nothing) and from the
 * cache, an API-key lookup (a SHA-256 and a map), a rate-limit permit taken alone and by two threads on one
 * key (a compare-and-set; no allocation), and a whole chain through the engine (CORS decorator, a cached JWT
 * check, a per-client rate limit, an in-process answer) against the same route with no policy.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar GatewayBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GatewayBenchmark {
    private static final Transport NO_TRANSPORT = attempt -> {
        throw new IllegalStateException("no upstream in this benchmark");
    };

    @Param({"ES256", "RS256"})
    String algorithm;

    private JwtAuth cold;
    private JwtAuth cached;
    private ApiKeyAuth apiKeys;
    private Exchange jwtExchange;
    private Request jwtRequest;
    private Exchange keyExchange;
    private Request keyRequest;
    private LocalRateLimitStore store;
    private final RateLimit huge = RateLimit.perSecond(1_000_000_000L);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private Edge plain;
    private Edge gateway;
    private Request chainRequest;

    @Setup
    public void setup() {
        GatewayKeys keys = new GatewayKeys();
        cold = JwtAuth.builder().issuer(GatewayKeys.ISSUER, JwtKeys.jwks(keys.jwks())).audience(GatewayKeys.AUDIENCE)
                .cacheBytes(0).build();
        cached = JwtAuth.builder().issuer(GatewayKeys.ISSUER, JwtKeys.jwks(keys.jwks())).audience(GatewayKeys.AUDIENCE)
                .build();
        String token = keys.token(JWSAlgorithm.parse(algorithm), "alice");
        jwtRequest = Request.builder().uri("/api/orders").header("authorization", "Bearer " + token).build();
        jwtExchange = Exchange.of(jwtRequest);
        InMemoryApiKeys store = new InMemoryApiKeys();
        for (int i = 0; i < 10_000; i++) {
            store.add("k" + i, "bench-key-" + i + "-0123456789abcdef", Consumer.of("c" + i, "gold"));
        }
        apiKeys = ApiKeyAuth.builder(store).build();
        keyRequest = Request.builder().uri("/api/orders").header("x-api-key", "bench-key-4242-0123456789abcdef").build();
        keyExchange = Exchange.of(keyRequest);
        this.store = new LocalRateLimitStore(1_000_000);
        Response ok = Response.of(200, "text/plain", "ok");
        plain = Edge.builder().route(Route.named("api").path("/api/**").to((ex, r) -> ok.completed()).build()).build();
        gateway = Edge.builder()
                .decorator(Cors.builder().allowOrigins("https://app.example.com").build())
                .route(Route.named("api").path("/api/**").policy(cached)
                        .policy(RateLimiting.builder().key(LimitKey.clientIp()).limit(huge).build())
                        .to((ex, r) -> ok.completed()).build())
                .build();
        chainRequest = Request.builder().authority("edge.example.com").uri("/api/orders")
                .header("authorization", "Bearer " + token).header("origin", "https://app.example.com").build();
    }

    @Benchmark
    public Decision jwtVerifyCold() {
        return cold.evaluate(jwtExchange, jwtRequest).toCompletableFuture().join();
    }

    @Benchmark
    public Decision jwtVerifyCached() {
        return cached.evaluate(jwtExchange, jwtRequest).toCompletableFuture().join();
    }

    @Benchmark
    public Decision apiKeyLookup() {
        return apiKeys.evaluate(keyExchange, keyRequest).toCompletableFuture().join();
    }

    @Benchmark
    public long rateLimitAcquire() {
        return store.acquire("ip:198.51.100.7", huge, clock.addAndGet(2));
    }

    @Benchmark
    @Threads(2)
    public long rateLimitAcquireContended() {
        return store.acquire("ip:198.51.100.7", huge, clock.addAndGet(2));
    }

    @Benchmark
    public Response chainWithoutPolicies() {
        return run(plain);
    }

    @Benchmark
    public Response chainWithGatewayPolicies() {
        return run(gateway);
    }

    private Response run(Edge edge) {
        Exchange exchange = edge.runtime().accept(Exchange.builder(chainRequest), 8080);
        CompletableFuture<Response> response = edge.runtime().handle(exchange, NO_TRANSPORT).toCompletableFuture();
        return response.join();
    }
}
