/**
 * The test kit: run an {@link io.edgekit.core.Edge} in memory, with no sockets and no sleeping.
 * {@link io.edgekit.core.testing.EdgeTester} sends requests through the engine as a listener would,
 * {@link io.edgekit.core.testing.InMemoryTransport} plays the upstreams (answer, refuse, hang),
 * {@link io.edgekit.core.testing.ManualClock} is the one clock timeouts, limiters and health checks run on,
 * {@link io.edgekit.core.testing.ManualContext} starts components and health checkers on it, and
 * {@link io.edgekit.core.testing.RecordingListener} writes down every event of every exchange.
 *
 * <p>Published as edge-core's test jar ({@code <type>test-jar</type>}, managed by {@code edge-bom}, module
 * name {@code io.edgekit.core.testing}); it holds this package only.
 */
package io.edgekit.core.testing;
