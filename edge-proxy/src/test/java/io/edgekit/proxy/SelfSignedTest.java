package io.edgekit.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SelfSignedTest {
    /** Run in a JVM of its own by the test: makes a keystore, prints where, and exits. */
    public static void main(String[] args) {
        System.out.println(SelfSigned.keyStore("127.0.0.1"));
    }

    @Test
    @Timeout(60)
    void theKeystoreAndItsFolderAreGoneWhenTheJvmExits() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SelfSignedTest.class.getName()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        Path store = Path.of(output.lines().reduce((first, second) -> second).orElseThrow());
        assertTrue(store.getFileName().toString().endsWith(".p12"), output);
        assertFalse(store.toFile().exists(), "keystore left behind: " + store);
        assertFalse(store.getParent().toFile().exists(), "folder left behind: " + store.getParent());
    }
}
