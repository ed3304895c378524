package io.edgekit.proxy.internal.filters;

import io.edgekit.core.Exchange;
import io.edgekit.core.Request;
import io.edgekit.core.RouteMatch;
import java.util.ArrayList;
import java.util.List;

/**
 * A header value template, parsed once: literal text with placeholders {@code {client_ip}},
 * {@code {request_id}}, {@code {method}}, {@code {path}}, {@code {host}}, {@code {scheme}}, and any other
 * {@code {name}} taken from the route's path parameters (empty when the route has none of that name).
 * {@code {{} and {@code }}} stand for literal braces.
 */
public final class Template {
    private final String text;
    private final List<Object> parts;

    private Template(String text, List<Object> parts) {
        this.text = text;
        this.parts = parts;
    }

    public static Template parse(String text) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' && text.startsWith("{{}", i)) {
                literal.append('{');
                i += 2;
            } else if (c == '}' && text.startsWith("}}", i)) {
                literal.append('}');
                i += 1;
            } else if (c == '{') {
                int end = text.indexOf('}', i);
                String name = end < 0 ? "" : text.substring(i + 1, end);
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("template: \"" + text
                            + "\" (expected: placeholders like {client_ip} or {id}; {{} for a literal brace)");
                }
                if (literal.length() > 0) {
                    parts.add(literal.toString());
                    literal.setLength(0);
                }
                parts.add(new Placeholder(name));
                i = end;
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            parts.add(literal.toString());
        }
        return new Template(text, List.copyOf(parts));
    }

    private record Placeholder(String name) {
    }

    public String render(Exchange exchange, Request request) {
        if (parts.size() == 1 && parts.get(0) instanceof String only) {
            return only;
        }
        StringBuilder out = new StringBuilder(text.length() + 32);
        for (Object part : parts) {
            if (part instanceof String literal) {
                out.append(literal);
                continue;
            }
            String name = ((Placeholder) part).name();
            switch (name) {
                case "client_ip" -> out.append(exchange.clientIp());
                case "request_id" -> out.append(exchange.requestId());
                case "method" -> out.append(request.method());
                case "path" -> out.append(request.path());
                case "host" -> out.append(request.host());
                case "scheme" -> out.append(exchange.isSecure() ? "https" : "http");
                default -> out.append(exchange.routeMatch().flatMap((RouteMatch m) -> m.pathParam(name)).orElse(""));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
