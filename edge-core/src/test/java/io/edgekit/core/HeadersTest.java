package io.edgekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeadersTest {
    private static final Headers SOME = Headers.of("Accept", "text/plain", "X-Id", "1", "Via", "a", "x-id", "2");

    @Test
    void withReplacesEveryFieldOfThatNameWhateverItsCaseAndKeepsTheRestInOrder() {
        Headers changed = SOME.with("X-ID", "3");
        assertEquals(3, changed.size());
        assertEquals(List.of("Accept", "Via", "X-ID"), List.of(changed.name(0), changed.name(1), changed.name(2)));
        assertEquals(List.of("3"), changed.all("x-id"));
        assertEquals("text/plain", changed.firstOrNull("accept"));
        assertEquals(List.of("1", "2"), SOME.all("X-Id")); // the original is unchanged
    }

    @Test
    void withAddsAFieldThatWasNotThere() {
        Headers changed = SOME.with("Server", "edge");
        assertEquals(5, changed.size());
        assertEquals("Server", changed.name(4));
        assertEquals("edge", changed.value(4));
        assertEquals("edge", Headers.of().with("server", "edge").firstOrNull("SERVER"));
    }

    @Test
    void withRefusesAnEmptyNameAndNulls() {
        assertThrows(IllegalArgumentException.class, () -> SOME.with("", "x"));
        assertThrows(NullPointerException.class, () -> SOME.with(null, "x"));
        assertThrows(NullPointerException.class, () -> SOME.with("a", null));
    }

    @Test
    void aChangedCopyCanBeChangedAgainThroughItsBuilder() {
        Headers changed = SOME.with("Via", "b").toBuilder().add("Via", "c").build();
        assertEquals(List.of("b", "c"), changed.all("via"));
        assertEquals(List.of("b"), SOME.with("Via", "b").all("via"));
    }
}
