package io.edgekit.gateway.validation;

import static java.util.Objects.requireNonNull;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.edgekit.core.Body;
import io.edgekit.core.Exchange;
import io.edgekit.core.Filter;
import io.edgekit.core.Request;
import io.edgekit.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a request before it goes on, and answers what breaks the contract with problem+json listing
 * every violation: a content type not allowed (415), a body over the bound (413), missing fields or query
 * parameters (400), a body that is not well-formed JSON (400; duplicate keys and trailing data included),
 * a body the JSON Schema (2020-12, networknt's validator) refuses (400, each violation with its location).
 * A body is read into memory only when it must be looked at, and never past the bound; the request goes on
 * with the bytes read. A filter: it runs after the route's policies.
 */
public final class RequestValidation implements Filter {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Set<String> contentTypes;
    private final long maxBodyBytes;
    private final List<String> headers;
    private final List<String> queryParams;
    private final boolean json;
    private final Schema schema;

    private RequestValidation(Builder b) {
        this.contentTypes = Set.copyOf(b.contentTypes);
        this.maxBodyBytes = b.maxBodyBytes;
        this.headers = List.copyOf(b.headers);
        this.queryParams = List.copyOf(b.queryParams);
        this.json = b.json || b.schema != null;
        this.schema = b.schema;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "validation";
    }

    @Override
    public CompletionStage<Response> filter(Exchange exchange, Request request, Next next) {
        Body body = request.body();
        boolean hasBody = !body.isEmpty();
        if (hasBody && !contentTypes.isEmpty()) {
            String type = mediaType(request.headers().firstOrNull("content-type"));
            if (type == null || !contentTypes.contains(type)) {
                return refuse(415, "Unsupported Media Type", List.of("content type " + (type == null ? "(none)" : type)
                        + " is not accepted (accepted: " + String.join(", ", contentTypes) + ")"));
            }
        }
        if (body.length() > maxBodyBytes) {
            return refuse(413, "Content Too Large", List.of("body larger than " + maxBodyBytes + " bytes"));
        }
        List<String> violations = new ArrayList<>();
        for (String header : headers) {
            if (!request.headers().contains(header)) {
                violations.add("header " + header + " is required");
            }
        }
        for (String param : queryParams) {
            if (request.queryParam(param) == null) {
                violations.add("query parameter " + param + " is required");
            }
        }
        if (!json || !hasBody) {
            String method = request.method();
            if (schema != null && !hasBody && (method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
                violations.add("a JSON body is required");
            }
            return violations.isEmpty() ? next.proceed(request) : refuse(400, "Bad Request", violations);
        }
        return body.aggregate(maxBodyBytes).handle((bytes, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof Body.TooLargeException) {
                    return refuse(413, "Content Too Large", List.of("body larger than " + maxBodyBytes + " bytes"));
                }
                return CompletableFuture.<Response>failedFuture(cause);
            }
            checkJson(bytes, violations);
            return violations.isEmpty() ? next.proceed(request.withBody(Body.of(bytes)))
                    : refuse(400, "Bad Request", violations);
        }).thenCompose(stage -> stage);
    }

    private void checkJson(byte[] bytes, List<String> violations) {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JacksonException e) {
            String message = e.getOriginalMessage();
            violations.add("the body is not well-formed JSON: " + (message.length() > 200 ? message.substring(0, 200)
                    : message));
            return;
        }
        if (schema != null) {
            List<Error> errors = schema.validate(node);
            int shown = 0;
            for (Error error : errors) {
                if (shown++ == 20) {
                    violations.add("and " + (errors.size() - 20) + " more");
                    break;
                }
                String where = String.valueOf(error.getInstanceLocation());
                violations.add((where.isEmpty() ? "/" : where) + ": " + error.getMessage()); // a JSON pointer
            }
        }
    }

    private static CompletionStage<Response> refuse(int status, String title, List<String> violations) {
        String detail = violations.size() == 1 ? violations.get(0)
                : violations.size() + " violations: " + String.join("; ", violations);
        return Response.problem(status, title, detail).completed();
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** Builds a {@link RequestValidation}. */
    public static final class Builder {
        private final Set<String> contentTypes = new LinkedHashSet<>();
        private long maxBodyBytes = 1024 * 1024;
        private final List<String> headers = new ArrayList<>();
        private final List<String> queryParams = new ArrayList<>();
        private boolean json;
        private Schema schema;

        /** The media types a body may have (any by default), such as {@code application/json}. */
        public Builder contentTypes(String... types) {
            for (String type : types) {
                contentTypes.add(requireNonNull(type, "type").toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** The largest body accepted, and the most ever read into memory (1 MiB). */
        public Builder maxBodyBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxBodyBytes: " + bytes + " (expected: >= 0)");
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        public Builder requireHeaders(String... names) {
            headers.addAll(List.of(names));
            return this;
        }

        public Builder requireQueryParams(String... names) {
            queryParams.addAll(List.of(names));
            return this;
        }

        /** Bodies must be well-formed JSON. */
        public Builder json() {
            this.json = true;
            return this;
        }

        /** Bodies must be JSON valid against {@code schema} (JSON Schema 2020-12 unless it names its dialect). */
        public Builder jsonSchema(String schemaJson) {
            requireNonNull(schemaJson, "schemaJson");
            try {
                this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("jsonSchema: not a schema: " + e.getMessage(), e);
            }
            return this;
        }

        public RequestValidation build() {
            return new RequestValidation(this);
        }
    }
}
