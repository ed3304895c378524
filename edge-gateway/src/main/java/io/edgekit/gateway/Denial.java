package io.edgekit.gateway;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Decision;
import io.edgekit.core.Headers;
import io.edgekit.core.Problem;
import io.edgekit.core.Response;

/**
 * How a built-in policy says no: the status, the problem type, title and detail, and fields to add (a
 * {@code WWW-Authenticate}, a {@code Link} to the documentation). Immutable.
 *
 * <pre>{@code
 * Policies.requireHeader("x-tenant", Denial.of(403, "Forbidden", "a tenant is required")
 *         .type("https://errors.example.com/tenant-missing").header("Link", "<https://docs.example.com>"));
 * }</pre>
 */
public final class Denial {
    private final Problem problem;
    private final Headers headers;

    private Denial(Problem problem, Headers headers) {
        this.problem = problem;
        this.headers = headers;
    }

    /** A denial with {@code status} (400-599), {@code title} and {@code detail}, of type {@code about:blank}. */
    public static Denial of(int status, String title, String detail) {
        return new Denial(new Problem(status, title, detail), Headers.of());
    }

    /** This denial with problem type {@code type} (a URI). */
    public Denial type(String type) {
        return new Denial(new Problem(type, problem.status(), problem.title(), problem.detail()), headers);
    }

    /** This denial with field {@code name: value} on its response too. */
    public Denial header(String name, String value) {
        io.edgekit.core.internal.HttpTokens.requireFieldName("header", requireNonNull(name, "name"));
        return new Denial(problem, headers.withAdded(name, requireNonNull(value, "value")));
    }

    public Problem problem() {
        return problem;
    }

    /** The decision a policy answers with. */
    public Decision decision() {
        Response response = Response.problem(problem);
        for (int i = 0; i < headers.size(); i++) {
            response = response.withHeaders(response.headers().withAdded(headers.name(i), headers.value(i)));
        }
        return Decision.deny(response);
    }
}
