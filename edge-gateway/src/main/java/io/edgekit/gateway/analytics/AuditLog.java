package io.edgekit.gateway.analytics;

import io.edgekit.core.Decision;
import io.edgekit.core.Exchange;
import io.edgekit.core.ExchangeListener;
import io.edgekit.core.Identity;
import io.edgekit.core.Policy;
import io.edgekit.core.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log of policy decisions, on SLF4J logger {@code edgekit.audit}: one line per decision with the
 * request id, the client address, method and path (no query), the route, the policy, the outcome, who (the
 * identity's subject and credential id, when one was established) and why (a denial's status and detail).
 * Nothing else from the request goes in: no field value, token, key or password is ever written. Add it
 * with {@code Edge.Builder.listener}.
 */
public final class AuditLog implements ExchangeListener.Factory {
    private static final Logger audit = LoggerFactory.getLogger("edgekit.audit");

    private final java.util.function.Consumer<String> sink;
    private final java.util.function.BooleanSupplier enabled;

    private AuditLog(java.util.function.Consumer<String> sink, java.util.function.BooleanSupplier enabled) {
        this.sink = sink;
        this.enabled = enabled;
    }

    /** Audit lines at INFO on logger {@code edgekit.audit}. */
    public static AuditLog toLogger() {
        return new AuditLog(audit::info, audit::isInfoEnabled);
    }

    /** Audit lines to {@code sink} (another log, a queue to ship them); it must not block. */
    public static AuditLog to(java.util.function.Consumer<String> sink) {
        return new AuditLog(java.util.Objects.requireNonNull(sink, "sink"), () -> true);
    }

    private final ExchangeListener listener = new ExchangeListener() {
        @Override
        public void policyDecided(Exchange exchange, Policy policy, Decision decision) {
            if (!enabled.getAsBoolean()) {
                return;
            }
            String route = exchange.routeMatch().map(m -> m.route().id()).orElse("-");
            String what = "request=" + exchange.requestId() + " client=" + exchange.clientIp() + " "
                    + exchange.request().method() + " " + exchange.request().path() + " route=" + route + " policy="
                    + policy.name();
            if (decision.isAllowed()) {
                Identity who = decision.identity().orElse(exchange.identity().orElse(null));
                sink.accept(what + " decision=allow who=" + (who == null ? "-" : who.subject()) + credential(who));
            } else {
                Problem problem = decision.denial().flatMap(r -> r.problem()).orElse(null);
                int status = decision.denial().map(r -> r.status()).orElse(0);
                sink.accept(what + " decision=deny status=" + status + " why=\"" + (problem == null ? "-"
                        : problem.detail()) + "\"");
            }
        }
    };

    @Override
    public ExchangeListener create(Exchange exchange) {
        return listener;
    }

    private static String credential(Identity who) {
        if (who == null) {
            return "";
        }
        String id = who.attributes().get("key-id");
        if (id == null) {
            id = who.attributes().get("user");
        }
        return id == null ? "" : " credential=" + who.attributes().getOrDefault("credential", "?") + ":" + id;
    }
}
