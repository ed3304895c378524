package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.internal.RequestIds;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

/**
 * The context of one request at the edge: its id, the request as it arrived (after the edge made it
 * canonical), the client address, the route it matched, the identity a policy established, the clock,
 * and typed attributes that filters and policies share.
 *
 * <p>Not thread-safe: an exchange belongs to one request, whose steps run one after another (a
 * completion stage hands the exchange from one step to the next).
 */
public final class Exchange {
    /** Made when first asked for, if the request did not come with one (see {@link #requestId()}). */
    private String requestId;
    private final Request request;
    private final InetSocketAddress peer;
    private final InetAddress clientAddress;
    private final boolean secure;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Executor offloadExecutor;
    private final long startNanos;
    private final ExchangeListener listener;
    private RouteMatch routeMatch;
    private Identity identity;
    private Attempt servingAttempt;
    private boolean completed;
    /** Attributes as key, value, key, value...: a handful per request, found by identity. */
    private Object[] attrs;
    private int attrCount;

    private Exchange(Builder b) {
        this.requestId = b.requestId;
        this.request = b.request;
        this.peer = b.peer;
        this.clientAddress = b.clientAddress != null ? b.clientAddress : b.peer.getAddress();
        this.secure = b.secure;
        this.ticker = b.ticker;
        this.scheduler = b.scheduler;
        this.offloadExecutor = b.offloadExecutor;
        this.startNanos = ticker.nanos();
        ExchangeListener made = b.listeners.create(this);
        this.listener = made == null ? ExchangeListener.NONE : made;
    }

    /** An exchange for {@code request} from 127.0.0.1 on the system clock: for unit tests of filters. */
    public static Exchange of(Request request) {
        return builder(request).build();
    }

    public static Builder builder(Request request) {
        return new Builder(request);
    }

    /**
     * The request's id: a trusted proxy's (checked: letters, digits and {@code - _ . :}, bounded length),
     * else the edge's own, 32 hex digits. The edge makes its own when the request arrives if it sends the
     * id upstream, else on the first call here, so that only what needs one pays for it (its own problem
     * responses, log lines).
     */
    public String requestId() {
        String id = requestId;
        if (id == null) {
            id = RequestIds.next();
            requestId = id;
        }
        return id;
    }

    /** The request as it reached the edge, before any filter changed it. */
    public Request request() {
        return request;
    }

    /** The address of the TCP peer: the client itself, or the last proxy in front of the edge. */
    public InetSocketAddress peer() {
        return peer;
    }

    /** The client's address: the peer, or when the peer is a trusted proxy, the client it forwarded for. */
    public InetAddress clientAddress() {
        return clientAddress;
    }

    /** The client address as text, such as {@code 203.0.113.7} or {@code 2001:db8::1}. */
    public String clientIp() {
        return clientAddress.getHostAddress();
    }

    /** True when the request reached the edge over TLS. */
    public boolean isSecure() {
        return secure;
    }

    public Ticker ticker() {
        return ticker;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** When the edge received the request, in {@link #ticker()} nanoseconds. */
    public long startNanos() {
        return startNanos;
    }

    /** The route the request matched; empty before routing and when no route matched. */
    public Optional<RouteMatch> routeMatch() {
        return Optional.ofNullable(routeMatch);
    }

    void routeMatch(RouteMatch match) {
        this.routeMatch = match;
    }

    public Optional<Identity> identity() {
        return Optional.ofNullable(identity);
    }

    void identity(Identity identity) {
        this.identity = requireNonNull(identity, "identity");
    }

    /** The listener of this exchange's events ({@link ExchangeListener#NONE} unless the edge set a factory). */
    public ExchangeListener listener() {
        return listener;
    }

    /**
     * The attempt whose response the client gets, once the engine has one; null for the edge's own
     * answers and before. The runtime reads its per-attempt state from it (trailers, a protocol switch).
     */
    public Attempt servingAttempt() {
        return servingAttempt;
    }

    void servingAttempt(Attempt attempt) {
        this.servingAttempt = attempt;
    }

    /** Marks the exchange completed; false if it already was (its listener hears only the first). */
    boolean markCompleted() {
        if (completed) {
            return false;
        }
        completed = true;
        return true;
    }

    public <T> Optional<T> get(Attr<T> attr) {
        return Optional.ofNullable(getOrNull(attr));
    }

    @SuppressWarnings("unchecked")
    public <T> T getOrNull(Attr<T> attr) {
        for (int i = 0; i < 2 * attrCount; i += 2) {
            if (attrs[i] == attr) {
                return (T) attrs[i + 1];
            }
        }
        return null;
    }

    public <T> void put(Attr<T> attr, T value) {
        requireNonNull(attr, "attr");
        requireNonNull(value, "value");
        for (int i = 0; i < 2 * attrCount; i += 2) {
            if (attrs[i] == attr) {
                attrs[i + 1] = value;
                return;
            }
        }
        if (attrs == null) {
            attrs = new Object[8];
        } else if (2 * attrCount == attrs.length) {
            attrs = java.util.Arrays.copyOf(attrs, attrs.length * 2);
        }
        attrs[2 * attrCount] = attr;
        attrs[2 * attrCount + 1] = value;
        attrCount++;
    }

    public <T> void remove(Attr<T> attr) {
        for (int i = 0; i < 2 * attrCount; i += 2) {
            if (attrs[i] == attr) {
                System.arraycopy(attrs, i + 2, attrs, i, 2 * attrCount - i - 2);
                attrCount--;
                attrs[2 * attrCount] = null;
                attrs[2 * attrCount + 1] = null;
                return;
            }
        }
    }

    /**
     * Runs blocking work on the edge's bounded offload executor, never on an IO thread. Prefer keeping
     * blocking work off the request path entirely (background refresh, last good value).
     */
    public <T> CompletionStage<T> offload(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, offloadExecutor);
    }

    @Override
    public String toString() {
        return "Exchange[" + requestId() + " " + request.method() + " " + request.uri() + "]";
    }

    /** Builds an {@link Exchange}; the runtime sets every field, tests only those they care about. */
    public static final class Builder {
        private static final InetSocketAddress LOOPBACK =
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

        private Request request;
        private String requestId;
        private InetSocketAddress peer = LOOPBACK;
        private InetAddress clientAddress;
        private boolean secure;
        private Ticker ticker = Ticker.system();
        private Scheduler scheduler = BackgroundScheduler.shared();
        private Executor offloadExecutor = ForkJoinPool.commonPool();
        private ExchangeListener.Factory listeners = ExchangeListener.Factory.NONE;

        private Builder(Request request) {
            this.request = requireNonNull(request, "request");
        }

        Request request() {
            return request;
        }

        InetSocketAddress peer() {
            return peer;
        }

        boolean secure() {
            return secure;
        }

        Builder request(Request request) {
            this.request = requireNonNull(request, "request");
            return this;
        }

        public Builder requestId(String requestId) {
            this.requestId = requireNonNull(requestId, "requestId");
            return this;
        }

        public Builder peer(InetSocketAddress peer) {
            this.peer = requireNonNull(peer, "peer");
            return this;
        }

        public Builder clientAddress(InetAddress clientAddress) {
            this.clientAddress = requireNonNull(clientAddress, "clientAddress");
            return this;
        }

        public Builder secure(boolean secure) {
            this.secure = secure;
            return this;
        }

        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = requireNonNull(scheduler, "scheduler");
            return this;
        }

        public Builder offloadExecutor(Executor offloadExecutor) {
            this.offloadExecutor = requireNonNull(offloadExecutor, "offloadExecutor");
            return this;
        }

        Builder listeners(ExchangeListener.Factory factory) {
            this.listeners = factory;
            return this;
        }

        public Exchange build() {
            return new Exchange(this);
        }
    }
}
