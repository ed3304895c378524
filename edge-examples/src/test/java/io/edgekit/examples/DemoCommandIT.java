package io.edgekit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's command line as a newcomer meets it, run as its own process. */
@Timeout(60)
class DemoCommandIT {
    private static Process demo(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Demo.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void aTakenPortEndsTheDemoWithOneLineNamingItAndAFailingStatus() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process process = demo("--port", String.valueOf(taken.getLocalPort()));
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the demo exits by itself");
            String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, process.exitValue(), errors);
            String[] lines = errors.strip().split("\\R");
            String last = lines[lines.length - 1];
            assertTrue(last.startsWith("edge-demo: cannot listen on http://127.0.0.1:" + taken.getLocalPort() + ": "),
                    errors);
            assertFalse(errors.contains("Exception") || errors.contains("\tat "), "no stack trace: " + errors);
            assertFalse(errors.contains(" org.xnio") || errors.contains("XNIO version"),
                    "XNIO logs through SLF4J at WARN: " + errors);
        }
    }

    @Test
    void aBadArgumentIsNamedWithTheUsage() throws Exception {
        Process process = demo("--port", "http");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, process.exitValue(), errors);
        assertTrue(errors.contains("--port: \"http\"") && errors.contains("usage:"), errors);
    }

    @Test
    void withAnAdminPortTheDemoServesTheAdminListenerAndLogsEachExchange() throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Demo.class.getName(), "--port", "0", "--admin-port", "0"));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String edge = null;
            String admin = null;
            for (String line; (line = out.readLine()) != null && (edge == null || admin == null);) {
                if (line.startsWith("Edgekit demo listening on ")) {
                    edge = line.substring("Edgekit demo listening on ".length());
                } else if (line.startsWith("Edgekit admin on ")) {
                    admin = line.substring("Edgekit admin on ".length());
                }
            }
            assertTrue(admin != null && admin.matches("http://127\\.0\\.0\\.1:\\d+/"), "admin line: " + admin);
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            assertEquals(200, client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(admin + "health/ready"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
            client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(edge + "/api/whoami?secret=x")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            String logged = null;
            for (String line; logged == null && (line = out.readLine()) != null;) {
                if (line.contains("\"GET /api/whoami HTTP/1.1\" 200")) {
                    logged = line;
                }
            }
            assertTrue(logged != null && !logged.contains("secret"), "an access log line on standard output: " + logged);
            String scrape = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(admin + "metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(scrape.contains("edgekit_requests_total{route=\"api\",status=\"2xx\"}"), scrape);
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
