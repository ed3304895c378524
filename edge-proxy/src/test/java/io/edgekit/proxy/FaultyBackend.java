package io.edgekit.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw-socket backend on loopback that misbehaves on purpose: each accepted connection has its
 * request head read and is then handed to a script (reset, stall, send garbage, answer half).
 */
final class FaultyBackend implements AutoCloseable {
    /** What to do with one connection after its request head was read. */
    @FunctionalInterface
    interface Script {
        void run(Socket socket, String head) throws Exception;
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    FaultyBackend(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    Thread worker = new Thread(() -> {
                        try {
                            InputStream in = socket.getInputStream();
                            String head = RawHttp.readHead(in);
                            script.run(socket, head);
                        } catch (Exception e) {
                            // the script's business
                        }
                    }, "faulty-backend-conn");
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "faulty-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** How many connections it accepted so far. */
    int connections() {
        return sockets.size();
    }

    /** Closes with a TCP reset instead of an orderly FIN. */
    static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
