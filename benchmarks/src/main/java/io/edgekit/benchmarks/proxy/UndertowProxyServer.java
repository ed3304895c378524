package io.edgekit.benchmarks.proxy;

import io.undertow.Undertow;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import java.net.URI;

/**
 * The baseline contender: Undertow's own ProxyHandler with LoadBalancingProxyClient over the same
 * upstreams, on the same number of IO threads. Same command line as {@link BenchServer}:
 *
 * <pre>java -cp benchmarks/target/edge-bench-server.jar io.edgekit.benchmarks.proxy.UndertowProxyServer
 *     --port P --upstream 127.0.0.1:A --upstream 127.0.0.1:B [--io-threads N]</pre>
 */
public final class UndertowProxyServer {
    private UndertowProxyServer() {
    }

    public static void main(String[] args) throws Exception {
        BaselineArgs parsed = BaselineArgs.parse(args);
        if (parsed.port() < 0 || parsed.upstreams().isEmpty()) {
            BenchServer.usage("--port and at least one --upstream are required");
        }
        LoadBalancingProxyClient client = new LoadBalancingProxyClient().setConnectionsPerThread(64);
        for (String upstream : parsed.upstreams()) {
            client.addHost(new URI("http://" + upstream));
        }
        Undertow server = Undertow.builder()
                .addHttpListener(parsed.port(), "127.0.0.1")
                .setIoThreads(parsed.ioThreads())
                .setWorkerThreads(1)
                .setHandler(ProxyHandler.builder().setProxyClient(client).setMaxRequestTime(30_000).build())
                .build();
        server.start();
        System.out.println("ready");
        System.out.flush();
    }
}
