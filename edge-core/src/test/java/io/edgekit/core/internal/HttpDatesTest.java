package io.edgekit.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HttpDatesTest {
    @Test
    void writesTheImfFixdateWithATwoDigitDay() {
        long fourth = Instant.parse("2026-12-04T09:05:03Z").getEpochSecond();
        assertEquals("Fri, 04 Dec 2026 09:05:03 GMT", HttpDates.format(fourth));
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDates.format(784111777L));
        assertEquals(fourth, HttpDates.epochSeconds(HttpDates.format(fourth)));
    }

    @Test
    void readsAllThreeFormats() {
        assertEquals(784111777L, HttpDates.epochSeconds("Sun, 06 Nov 1994 08:49:37 GMT"));
        assertEquals(784111777L, HttpDates.epochSeconds("Sunday, 06-Nov-94 08:49:37 GMT"));
        assertEquals(784111777L, HttpDates.epochSeconds("Sun Nov  6 08:49:37 1994"));
        assertEquals(HttpDates.INVALID, HttpDates.epochSeconds("yesterday"));
    }
}
