package io.edgekit.core.internal;

/** Reading one cookie's value out of a {@code Cookie} field in place, without splitting or copying it. */
public final class Cookies {
    /** No such cookie in the field. */
    public static final long ABSENT = -1;

    private Cookies() {
    }

    /**
     * Where cookie {@code name}'s value lies in {@code field}: {@code from << 32 | to} (spaces around the name
     * and the value left out), or {@link #ABSENT}.
     */
    public static long range(String field, String name) {
        int at = 0;
        int length = field.length();
        while (at < length) {
            while (at < length && (field.charAt(at) == ' ' || field.charAt(at) == ';')) {
                at++;
            }
            int end = field.indexOf(';', at);
            if (end < 0) {
                end = length;
            }
            int eq = field.indexOf('=', at);
            if (eq > at && eq < end) {
                int nameEnd = eq;
                while (nameEnd > at && field.charAt(nameEnd - 1) == ' ') {
                    nameEnd--;
                }
                if (nameEnd - at == name.length() && field.regionMatches(at, name, 0, name.length())) {
                    int from = eq + 1;
                    int to = end;
                    while (from < to && field.charAt(from) == ' ') {
                        from++;
                    }
                    while (to > from && field.charAt(to - 1) == ' ') {
                        to--;
                    }
                    return (long) from << 32 | to;
                }
            }
            at = end + 1;
        }
        return ABSENT;
    }

    /** Where a {@link #range} starts. */
    public static int from(long range) {
        return (int) (range >>> 32);
    }

    /** Where a {@link #range} ends (exclusive). */
    public static int to(long range) {
        return (int) range;
    }
}
