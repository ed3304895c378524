package io.edgekit.core.internal;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * HTTP dates (RFC 9110 section 5.6.7): recipients accept all three formats, IMF-fixdate
 * ({@code Sun, 06 Nov 1994 08:49:37 GMT}), the obsolete RFC 850 ({@code Sunday, 06-Nov-94 08:49:37 GMT})
 * and asctime ({@code Sun Nov  6 08:49:37 1994}).
 */
public final class HttpDates {
    /** What {@link #epochSeconds} answers for a value that is not an HTTP date. */
    public static final long INVALID = Long.MIN_VALUE;
    // the day name is left out of both: it is redundant, and with a two-digit year it cannot be checked
    private static final DateTimeFormatter RFC_850 = DateTimeFormatter.ofPattern("dd-MMM-yy HH:mm:ss 'GMT'", Locale.US);
    /** IMF-fixdate: a two-digit day, always (RFC 1123's formatter writes {@code 4 Dec}, not {@code 04 Dec}). */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
            Locale.US);
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy", Locale.US);

    private HttpDates() {
    }

    /** The IMF-fixdate of {@code epochSeconds}, the format HTTP senders use. */
    public static String format(long epochSeconds) {
        return IMF_FIXDATE.format(LocalDateTime.ofEpochSecond(epochSeconds, 0, ZoneOffset.UTC));
    }

    /** Seconds since the epoch, or {@link #INVALID}. */
    public static long epochSeconds(String value) {
        if (value == null) {
            return INVALID;
        }
        String date = value.trim();
        try {
            return ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        } catch (DateTimeParseException e) {
            // one of the obsolete formats, or not a date
        }
        int comma = date.indexOf(", ");
        int space = date.indexOf(' ');
        if (comma < 0 && space < 0) {
            return INVALID;
        }
        try {
            LocalDateTime parsed = LocalDateTime.parse(comma < 0 ? "" : date.substring(comma + 2), RFC_850);
            // a two-digit year more than 50 years ahead is the most recent past year with those digits
            if (parsed.getYear() > LocalDateTime.now(ZoneOffset.UTC).getYear() + 50) {
                parsed = parsed.minusYears(100);
            }
            return parsed.toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // not RFC 850 either
        }
        try {
            return LocalDateTime.parse(space < 0 ? "" : date.substring(space + 1), ASCTIME).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return INVALID;
        }
    }
}
