package io.edgekit.core;

import static java.util.Objects.requireNonNull;

/**
 * A typed key for state a filter or policy keeps on an {@link Exchange}. Keys compare by identity:
 * two keys with one name are different keys. Keep them in {@code static final} fields.
 */
public final class Attr<T> {
    private final String name;

    private Attr(String name) {
        this.name = requireNonNull(name, "name");
    }

    public static <T> Attr<T> named(String name) {
        return new Attr<>(name);
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "Attr[" + name + "]";
    }
}
