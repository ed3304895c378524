package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * An immutable, ordered list of HTTP header fields. Names compare case-insensitively and keep the
 * spelling they were added with; a name may repeat. Changes return copies ({@link #with},
 * {@link #withAdded}, {@link #without}); several changes go through a {@link Builder} so the field
 * array is copied once. Thread-safe.
 */
public final class Headers {
    private static final String[] NO_FIELDS = new String[0];
    private static final Headers EMPTY = new Headers(NO_FIELDS, 0);

    /** name at 2i, value at 2i + 1. */
    private final String[] fields;
    private final int size;

    private Headers(String[] fields, int size) {
        this.fields = fields;
        this.size = size;
    }

    public static Headers of() {
        return EMPTY;
    }

    /** Headers from alternating names and values: {@code Headers.of("accept", "text/plain")}. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "namesAndValues: " + namesAndValues.length + " strings (expected: an even count)");
        }
        Builder builder = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            builder.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    public static Builder builder() {
        return new Builder(8);
    }

    public static Builder builder(int expectedSize) {
        return new Builder(expectedSize);
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public String name(int index) {
        return fields[2 * checkIndex(index)];
    }

    public String value(int index) {
        return fields[2 * checkIndex(index) + 1];
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index: " + index + " (expected: 0-" + (size - 1) + ")");
        }
        return index;
    }

    /** The first value of {@code name}, if any. */
    public Optional<String> first(String name) {
        return Optional.ofNullable(firstOrNull(name));
    }

    /** The first value of {@code name} or null: the allocation-free form for hot paths. */
    public String firstOrNull(String name) {
        for (int i = 0; i < 2 * size; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                return fields[i + 1];
            }
        }
        return null;
    }

    /** Every value of {@code name} in order, as separate fields (values are not split at commas). */
    public List<String> all(String name) {
        List<String> values = null;
        for (int i = 0; i < 2 * size; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(fields[i + 1]);
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    public boolean contains(String name) {
        return firstOrNull(name) != null;
    }

    /** How many fields carry {@code name}. */
    public int count(String name) {
        int count = 0;
        for (int i = 0; i < 2 * size; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                count++;
            }
        }
        return count;
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < 2 * size; i += 2) {
            action.accept(fields[i], fields[i + 1]);
        }
    }

    /** A copy where {@code name} has the single value {@code value}. */
    public Headers with(String name, String value) {
        checkField(name, value);
        String[] out = new String[2 * (size + 1)]; // one pass: the other fields, then this one
        int n = 0;
        for (int i = 0; i < 2 * size; i += 2) {
            if (!fields[i].equalsIgnoreCase(name)) {
                out[2 * n] = fields[i];
                out[2 * n + 1] = fields[i + 1];
                n++;
            }
        }
        out[2 * n] = name;
        out[2 * n + 1] = value;
        return new Headers(out, n + 1);
    }

    /** A copy with one more field, after any existing fields of that name. */
    public Headers withAdded(String name, String value) {
        return toBuilder().add(name, value).build();
    }

    /** A copy without any field named {@code name}. */
    public Headers without(String name) {
        return contains(name) ? toBuilder().remove(name).build() : this;
    }

    public Builder toBuilder() {
        Builder builder = new Builder(Math.max(8, size + 4));
        System.arraycopy(fields, 0, builder.fields, 0, 2 * size);
        builder.size = size;
        return builder;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Headers)) {
            return false;
        }
        Headers that = (Headers) other;
        if (that.size != size) {
            return false;
        }
        for (int i = 0; i < 2 * size; i += 2) {
            if (!fields[i].equalsIgnoreCase(that.fields[i]) || !fields[i + 1].equals(that.fields[i + 1])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = size;
        for (int i = 0; i < 2 * size; i += 2) {
            hash = 31 * hash + fields[i].toLowerCase(java.util.Locale.ROOT).hashCode();
            hash = 31 * hash + fields[i + 1].hashCode();
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Headers[");
        for (int i = 0; i < 2 * size; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(fields[i]).append(": ");
            sb.append(isSecret(fields[i]) ? "<redacted>" : fields[i + 1]);
        }
        return sb.append(']').toString();
    }

    /** What every field must be: a name that is not empty, and a value. */
    private static void checkField(String name, String value) {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: \"\" (expected: a header name)");
        }
    }

    private static boolean isSecret(String name) {
        return name.equalsIgnoreCase("authorization") || name.equalsIgnoreCase("proxy-authorization")
                || name.equalsIgnoreCase("cookie") || name.equalsIgnoreCase("set-cookie");
    }

    /** Collects fields; {@link #build()} hands the array over without another copy. Not thread-safe. */
    public static final class Builder {
        private String[] fields;
        private int size;
        private boolean built;

        private Builder(int expectedSize) {
            this.fields = new String[2 * Math.max(1, expectedSize)];
        }

        public Builder add(String name, String value) {
            checkField(name, value);
            ensureWritable();
            if (2 * size == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            fields[2 * size] = name;
            fields[2 * size + 1] = value;
            size++;
            return this;
        }

        /** Replaces every field named {@code name} with one field. */
        public Builder set(String name, String value) {
            remove(name);
            return add(name, value);
        }

        public Builder remove(String name) {
            requireNonNull(name, "name");
            ensureWritable();
            int out = 0;
            for (int i = 0; i < size; i++) {
                if (!fields[2 * i].equalsIgnoreCase(name)) {
                    fields[2 * out] = fields[2 * i];
                    fields[2 * out + 1] = fields[2 * i + 1];
                    out++;
                }
            }
            Arrays.fill(fields, 2 * out, 2 * size, null);
            size = out;
            return this;
        }

        public boolean contains(String name) {
            for (int i = 0; i < 2 * size; i += 2) {
                if (fields[i].equalsIgnoreCase(name)) {
                    return true;
                }
            }
            return false;
        }

        public String firstOrNull(String name) {
            for (int i = 0; i < 2 * size; i += 2) {
                if (fields[i].equalsIgnoreCase(name)) {
                    return fields[i + 1];
                }
            }
            return null;
        }

        public int size() {
            return size;
        }

        private void ensureWritable() {
            if (built) {
                fields = fields.clone();
                built = false;
            }
        }

        public Headers build() {
            if (size == 0) {
                return EMPTY;
            }
            built = true;
            return new Headers(fields, size);
        }
    }
}
