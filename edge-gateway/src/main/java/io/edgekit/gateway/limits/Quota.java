package io.edgekit.gateway.limits;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * A quota: at most {@code requests} per calendar day or month (UTC), counted whole; the count starts
 * again at the window's start, and a request over it gets 429 with {@code Retry-After} up to then.
 */
public record Quota(String name, long requests, Window window) {
    /** The calendar windows a quota counts in. */
    public enum Window {
        DAY, MONTH
    }

    public Quota {
        requireNonNull(name, "name");
        requireNonNull(window, "window");
        if (requests < 1) {
            throw new IllegalArgumentException("quota: " + requests + " (expected: at least 1 request)");
        }
    }

    public static Quota perDay(long requests) {
        return new Quota("day", requests, Window.DAY);
    }

    public static Quota perMonth(long requests) {
        return new Quota("month", requests, Window.MONTH);
    }

    /** The start of the window holding {@code now}, in epoch seconds. */
    long windowStart(Instant now) {
        LocalDate day = now.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate start = window == Window.DAY ? day : day.withDayOfMonth(1);
        return start.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    }

    /** The end of the window starting at {@code start}, in epoch seconds. */
    long windowEnd(long start) {
        ZonedDateTime from = Instant.ofEpochSecond(start).atZone(ZoneOffset.UTC);
        return (window == Window.DAY ? from.plusDays(1) : from.plusMonths(1)).toEpochSecond();
    }
}
