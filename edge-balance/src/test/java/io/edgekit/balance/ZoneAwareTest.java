package io.edgekit.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgekit.core.Attempt;
import io.edgekit.core.Balancer;
import io.edgekit.core.Endpoint;
import io.edgekit.core.EndpointSnapshot;
import io.edgekit.core.EndpointState;
import io.edgekit.core.Exchange;
import io.edgekit.core.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Priorities, the local zone and panic, decided per snapshot: which endpoints the wrapped balancer sees. */
@Timeout(20)
class ZoneAwareTest {
    private static final Balancer ZONED = Balancers.zoneAware(Balancers.roundRobin(), "eu-1", 50, 30);

    private static EndpointState state(String host, String zone, int priority, boolean serving) {
        Endpoint endpoint = new Endpoint(host, 80, 1, zone, priority, Map.of());
        return new EndpointState(endpoint, serving ? EndpointState.Status.SERVING : EndpointState.Status.EJECTED,
                0, serving ? 0 : Long.MAX_VALUE);
    }

    /** The hosts the picker picks over many picks. */
    private static Set<String> picked(List<EndpointState> states) {
        Balancer.Picker picker = ZONED.newPicker(EndpointSnapshot.of("u", states));
        Set<String> hosts = new TreeSet<>();
        Request request = Request.get("/");
        for (int i = 0; i < 50; i++) {
            picker.pick(new Attempt(Exchange.of(request), request, 1, List.of()))
                    .ifPresent(endpoint -> hosts.add(endpoint.host()));
        }
        return hosts;
    }

    @Test
    void theLocalZoneIsPreferredWhileEnoughOfItServes() {
        List<EndpointState> states = new ArrayList<>(List.of(state("a1", "eu-1", 0, true), state("a2", "eu-1", 0, true),
                state("b1", "us-1", 0, true), state("b2", "us-1", 0, true)));
        assertEquals(Set.of("a1", "a2"), picked(states));
        states.set(0, state("a1", "eu-1", 0, false)); // half of the local zone: still enough
        assertEquals(Set.of("a2"), picked(states));
        states.set(1, state("a2", "eu-1", 0, false)); // none left locally: spill over to every zone
        assertEquals(Set.of("b1", "b2"), picked(states));
    }

    @Test
    void aBackupLevelTakesOverWhenThePrimaryLevelIsDownOrTooWeak() {
        List<EndpointState> states = new ArrayList<>(List.of(state("p1", "", 0, true), state("p2", "", 0, true),
                state("p3", "", 0, true), state("backup1", "", 1, true), state("backup2", "", 1, true)));
        assertEquals(Set.of("p1", "p2", "p3"), picked(states));
        states.set(0, state("p1", "", 0, false));
        states.set(1, state("p2", "", 0, false)); // one of three: below half, so the backup level joins
        assertEquals(Set.of("backup1", "backup2", "p3"), picked(states));
        states.set(2, state("p3", "", 0, false)); // two of five serve: above the panic share
        assertEquals(Set.of("backup1", "backup2"), picked(states));
    }

    @Test
    void belowThePanicShareEveryEndpointIsUsed() {
        List<EndpointState> states = List.of(state("a", "", 0, true), state("b", "", 0, false),
                state("c", "", 0, false), state("d", "", 0, false)); // 25 % serving, panic below 30 %
        assertEquals(Set.of("a", "b", "c", "d"), picked(states));
    }
}
