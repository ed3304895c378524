package io.edgekit.proxy.internal.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

public class CompressionNegotiationTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "gzip|gzip",
        "gzip, deflate, br|gzip",
        "deflate|deflate",
        "deflate;q=1.0, gzip;q=0.5|deflate",
        "gzip;q=0, deflate|deflate",
        "br|identity",
        "*|gzip",
        "*;q=0.5, gzip;q=0|deflate",
        "identity|identity",
        "gzip;q=0, deflate;q=0|identity",
        "identity;q=0|none",
        "*;q=0|none",
        "gzip;q=0, identity;q=0|none",
        "gzip;q=nonsense|identity",
        "x-gzip|gzip",
        "''|identity",
    })
    void choosesTheBestAcceptableCoding(String accept, String expected) {
        assertEquals(expected, Compression.choose(accept));
    }
}
