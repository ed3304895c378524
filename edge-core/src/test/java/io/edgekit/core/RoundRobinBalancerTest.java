package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinBalancerTest {
    private static final Endpoint A = new Endpoint("10.0.0.1", 80, 5);
    private static final Endpoint B = new Endpoint("10.0.0.2", 80, 1);
    private static final Endpoint C = new Endpoint("10.0.0.3", 80, 1);

    private static Attempt first() {
        return new Attempt(Exchange.of(Request.get("/")), Request.get("/"), 1, List.of());
    }

    @Test
    void spreadsWeightsSmoothly() {
        Balancer.Picker picker = Balancer.roundRobin().newPicker(EndpointSnapshot.of(List.of(A, B, C)));
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            picks.add(picker.pick(first()).orElseThrow().host().substring(7));
        }
        assertEquals(List.of("1", "1", "2", "1", "3", "1", "1"), picks);
    }

    @Test
    void equalWeightsAlternate() {
        Balancer.Picker picker = Balancer.roundRobin().newPicker(EndpointSnapshot.of(List.of(Endpoint.of("a", 1), Endpoint.of("b", 1))));
        assertEquals("a", picker.pick(first()).orElseThrow().host());
        assertEquals("b", picker.pick(first()).orElseThrow().host());
        assertEquals("a", picker.pick(first()).orElseThrow().host());
    }

    @Test
    void skipsEndpointsAlreadyTried() {
        Balancer.Picker picker = Balancer.roundRobin().newPicker(EndpointSnapshot.of(List.of(A, B, C)));
        Attempt retry = new Attempt(Exchange.of(Request.get("/")), Request.get("/"), 2, List.of(A));
        for (int i = 0; i < 20; i++) {
            Endpoint picked = picker.pick(retry).orElseThrow();
            assertEquals(false, picked.equals(A), "picked " + picked);
        }
    }

    @Test
    void emptySnapshotPicksNothing() {
        assertEquals(false, Balancer.roundRobin().newPicker(EndpointSnapshot.of(List.of())).pick(first()).isPresent());
    }

    @Test
    void endpointRejectsBadValues() {
        assertEquals("port: 70000 (expected: 1-65535)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Endpoint.of("h", 70000)).getMessage());
        assertEquals("weight: 0 (expected: 1-1000)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> new Endpoint("h", 1, 0)).getMessage());
        assertEquals("[::1]:8080", Endpoint.parse("[::1]:8080").address());
    }
}
