package io.edgekit.benchmarks.proxy;

import io.undertow.Undertow;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

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
        int port = -1;
        int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        List<String> upstreams = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = BenchServer.number("--port", BenchServer.value(args, ++i));
                case "--io-threads" -> ioThreads = BenchServer.number("--io-threads", BenchServer.value(args, ++i));
                case "--upstream" -> upstreams.add(BenchServer.value(args, ++i));
                default -> BenchServer.usage("unknown argument: " + args[i]);
            }
        }
        if (port < 0 || upstreams.isEmpty()) {
            BenchServer.usage("--port and at least one --upstream are required");
        }
        LoadBalancingProxyClient client = new LoadBalancingProxyClient().setConnectionsPerThread(64);
        for (String upstream : upstreams) {
            client.addHost(new URI("http://" + upstream));
        }
        Undertow server = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setIoThreads(ioThreads)
                .setWorkerThreads(1)
                .setHandler(ProxyHandler.builder().setProxyClient(client).setMaxRequestTime(30_000).build())
                .build();
        server.start();
        System.out.println("ready");
        System.out.flush();
    }
}
