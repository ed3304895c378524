package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Policies shared by every route under a path prefix: a route inside the group runs the group's policies
 * after the edge-wide ones and before its own, so a more specific route added later cannot lose them. A
 * route is in the group when its path pattern is the prefix or lies under it ({@code /api} holds
 * {@code /api/orders/**} and {@code /api/users/{id}}, not {@code /apis}); regex routes are in no group.
 * Immutable; built with {@link #prefix}.
 */
public final class RouteGroup {
    private final String prefix;
    private final List<Policy> policies;

    private RouteGroup(Builder b) {
        this.prefix = b.prefix;
        this.policies = List.copyOf(b.policies);
    }

    /** Starts a group of the routes under {@code prefix} ({@code /api}). */
    public static Builder prefix(String prefix) {
        return new Builder(prefix);
    }

    public String prefix() {
        return prefix;
    }

    public List<Policy> policies() {
        return policies;
    }

    /** True when {@code route}'s path lies under this group's prefix. */
    public boolean contains(Route route) {
        PathPattern path = route.path();
        if (path.kind() == PathPattern.Kind.REGEX) {
            return false;
        }
        String text = path.text();
        if (prefix.equals("/")) {
            return true;
        }
        return text.equals(prefix) || text.startsWith(prefix) && text.charAt(prefix.length()) == '/';
    }

    @Override
    public String toString() {
        return "RouteGroup[" + prefix + " " + policies.size() + " policies]";
    }

    /** Builds a {@link RouteGroup}; {@code policy} appends. */
    public static final class Builder {
        private final String prefix;
        private final List<Policy> policies = new ArrayList<>();

        private Builder(String prefix) {
            requireNonNull(prefix, "prefix");
            if (!prefix.startsWith("/") || prefix.length() > 1 && prefix.endsWith("/") || prefix.contains("*")
                    || prefix.contains("{")) {
                throw new IllegalArgumentException("prefix: \"" + prefix
                        + "\" (expected: a literal path such as /api, without a trailing slash)");
            }
            this.prefix = prefix;
        }

        public Builder policy(Policy policy) {
            policies.add(requireNonNull(policy, "policy"));
            return this;
        }

        public RouteGroup build() {
            if (policies.isEmpty()) {
                throw new IllegalStateException("route group '" + prefix + "': no policies; call policy(...) before build()");
            }
            return new RouteGroup(this);
        }
    }
}
