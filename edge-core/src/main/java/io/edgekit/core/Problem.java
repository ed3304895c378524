package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.internal.JsonText;

/**
 * An RFC 9457 problem detail the edge answers with. The edge renders it as
 * {@code application/problem+json} with the request id when the response is written, so a problem
 * never carries more than its type, status, title and detail.
 *
 * @param type a URI naming the kind of problem ({@code about:blank} when the status says it all)
 */
public record Problem(String type, int status, String title, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";

    /** A problem of type {@code about:blank}. */
    public Problem(int status, String title, String detail) {
        this("about:blank", status, title, detail);
    }

    public Problem {
        requireNonNull(type, "type");
        if (type.isEmpty() || type.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f || c == '"')) {
            throw new IllegalArgumentException("type: \"" + type + "\" (expected: a URI, such as"
                    + " https://errors.example.com/tenant-missing)");
        }
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 400-599)");
        }
        requireNonNull(title, "title");
        requireNonNull(detail, "detail");
    }

    /** The problem's JSON document, with {@code requestId} as an extension member when not null. */
    public String toJson(String requestId) {
        StringBuilder json = new StringBuilder(128);
        json.append("{\"type\":");
        JsonText.quote(json, type);
        json.append(",\"title\":");
        JsonText.quote(json, title);
        json.append(",\"status\":").append(status).append(",\"detail\":");
        JsonText.quote(json, detail);
        if (requestId != null) {
            json.append(",\"requestId\":");
            JsonText.quote(json, requestId);
        }
        return json.append('}').toString();
    }
}
