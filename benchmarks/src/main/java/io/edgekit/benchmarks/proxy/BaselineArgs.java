package io.edgekit.benchmarks.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of the baseline servers beside the bench server ({@link UndertowProxyServer},
 * {@link UndertowFloorServer}): {@code --port P --upstream HOST:PORT ... [--io-threads N]}, any other
 * argument refused as {@link BenchServer} refuses it. What each requires is checked by its caller.
 */
record BaselineArgs(int port, int ioThreads, List<String> upstreams) {
    static BaselineArgs parse(String[] args) {
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
        return new BaselineArgs(port, ioThreads, upstreams);
    }
}
