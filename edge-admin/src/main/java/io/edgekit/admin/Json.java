package io.edgekit.admin;

import io.edgekit.core.internal.JsonText;

/** A small JSON writer for the admin API's answers: objects, arrays, strings, numbers, booleans. */
final class Json {
    private final StringBuilder out = new StringBuilder(512);
    private boolean first = true;

    Json open(char bracket) {
        comma();
        out.append(bracket);
        first = true;
        return this;
    }

    Json close(char bracket) {
        out.append(bracket);
        first = false;
        return this;
    }

    Json name(String name) {
        comma();
        string(name);
        out.append(':');
        first = true;
        return this;
    }

    Json value(String value) {
        comma();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    Json value(long value) {
        comma();
        out.append(value);
        return this;
    }

    Json value(double value) {
        comma();
        out.append(Double.isFinite(value) ? String.format(java.util.Locale.ROOT, "%.3f", value) : "null");
        return this;
    }

    Json value(boolean value) {
        comma();
        out.append(value);
        return this;
    }

    Json field(String name, String value) {
        return name(name).value(value);
    }

    Json field(String name, long value) {
        return name(name).value(value);
    }

    private void comma() {
        if (!first) {
            out.append(',');
        }
        first = false;
    }

    private void string(String value) {
        JsonText.quote(out, value);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
