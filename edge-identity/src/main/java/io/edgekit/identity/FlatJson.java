package io.edgekit.identity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON shape identity tokens use: a flat object of strings and whole numbers. Writes it, and reads it
 * strictly (anything else, nesting and duplicate names included, is refused), so this artifact needs no
 * JSON library.
 */
final class FlatJson {
    private FlatJson() {
    }

    static String write(Map<String, Object> members) {
        StringBuilder json = new StringBuilder(128).append('{');
        for (Map.Entry<String, Object> member : members.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            quote(json, member.getKey());
            json.append(':');
            Object value = member.getValue();
            if (value instanceof Long || value instanceof Integer) {
                json.append(value);
            } else {
                quote(json, String.valueOf(value));
            }
        }
        return json.append('}').toString();
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    /** The members of a flat object: String or Long values. */
    static Map<String, Object> read(String json) {
        Reader r = new Reader(json);
        Map<String, Object> members = new LinkedHashMap<>();
        r.skip();
        r.expect('{');
        r.skip();
        if (r.peek() == '}') {
            r.pos++;
        } else {
            while (true) {
                r.skip();
                String name = r.string();
                r.skip();
                r.expect(':');
                r.skip();
                Object value = r.peek() == '"' ? r.string() : r.number();
                if (members.put(name, value) != null) {
                    throw new IllegalArgumentException("member " + name + " twice");
                }
                r.skip();
                char c = r.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("expected , or }");
                }
            }
        }
        r.skip();
        if (r.pos != json.length()) {
            throw new IllegalArgumentException("data after the object");
        }
        return members;
    }

    private static final class Reader {
        final String text;
        int pos;

        Reader(String text) {
            this.text = text;
        }

        char peek() {
            if (pos >= text.length()) {
                throw new IllegalArgumentException("cut short");
            }
            return text.charAt(pos);
        }

        char next() {
            char c = peek();
            pos++;
            return c;
        }

        void expect(char c) {
            if (next() != c) {
                throw new IllegalArgumentException("expected " + c);
            }
        }

        void skip() {
            while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw new IllegalArgumentException("control character in a string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw new IllegalArgumentException("cut short");
                        }
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw new IllegalArgumentException("bad escape");
                }
            }
        }

        Long number() {
            int start = pos;
            if (pos < text.length() && text.charAt(pos) == '-') {
                pos++;
            }
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos == start || pos - start > 18) {
                throw new IllegalArgumentException("expected a string or a whole number");
            }
            return Long.parseLong(text.substring(start, pos));
        }
    }
}
