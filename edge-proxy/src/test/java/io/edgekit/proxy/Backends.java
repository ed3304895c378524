package io.edgekit.proxy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that starts loopback backends for integration tests and closes them after each
 * test, once the test's own {@code @AfterEach} methods (which shut the edge down) have run:
 * <pre>{@code
 * @RegisterExtension final Backends backends = new Backends();
 * TestBackend a = backends.echo("a");
 * }</pre>
 */
final class Backends implements AfterEachCallback {
    private final List<AutoCloseable> started = new ArrayList<>();

    /** A backend that answers "name path" and echoes request bodies. */
    TestBackend echo(String name) {
        return track(TestBackend.echo(name));
    }

    /** A backend with its own blocking handler. */
    TestBackend start(String name, TestBackend.BlockingHandler handler) {
        return track(TestBackend.start(name, handler));
    }

    /** A raw-socket backend that misbehaves on purpose. */
    FaultyBackend faulty(FaultyBackend.Script script) throws java.io.IOException {
        return track(new FaultyBackend(script));
    }

    private <T extends AutoCloseable> T track(T backend) {
        started.add(backend);
        return backend;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        started.clear();
    }
}
