package io.edgekit.balance;

import static java.util.Objects.requireNonNull;

import io.edgekit.core.Attempt;
import io.edgekit.core.Exchange;
import io.edgekit.core.RouteMatch;
import io.edgekit.core.internal.Cookies;
import java.net.InetAddress;

/**
 * What a consistent-hash balancer hashes: a request header, a cookie, a path parameter of the route, the
 * client's address, or the consumer identity a policy set. Returns a 64-bit hash of the key, or
 * {@link #ABSENT} when the request has none (the balancer then picks as round robin would). Hashing reads
 * the key where it lies, without copying it.
 */
@FunctionalInterface
public interface HashKey {
    /** The request has no key. */
    long ABSENT = Long.MIN_VALUE;

    long hash(Attempt attempt);

    /** The first value of a request header. */
    static HashKey header(String name) {
        requireNonNull(name, "name");
        return attempt -> hash(attempt.request().headers().firstOrNull(name));
    }

    /** The value of a cookie, from the request's {@code Cookie} fields. */
    static HashKey cookie(String name) {
        requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf(';') >= 0) {
            throw new IllegalArgumentException("cookie: \"" + name + "\" (expected: a cookie name)");
        }
        return attempt -> {
            io.edgekit.core.Headers headers = attempt.request().headers();
            for (int i = 0; i < headers.size(); i++) {
                if (headers.name(i).equalsIgnoreCase("cookie")) {
                    String field = headers.value(i);
                    long range = Cookies.range(field, name);
                    if (range != Cookies.ABSENT) {
                        return hash(field, Cookies.from(range), Cookies.to(range));
                    }
                }
            }
            return ABSENT;
        };
    }

    /** A path parameter of the matched route, such as {@code id} in {@code /users/{id}}. */
    static HashKey pathParam(String name) {
        requireNonNull(name, "name");
        return attempt -> {
            RouteMatch match = attempt.exchange().routeMatch().orElse(null);
            return match == null ? ABSENT : hash(match.pathParams().get(name));
        };
    }

    /** The client's address (the peer, or the client a trusted proxy forwarded for). */
    static HashKey clientIp() {
        return attempt -> {
            InetAddress address = attempt.exchange().clientAddress();
            long mixed = mix(address.hashCode()); // the address itself for IPv4, a hash of its bytes for IPv6
            return mixed == ABSENT ? 0 : mixed;
        };
    }

    /** The subject of the identity a policy established (the consumer). */
    static HashKey consumer() {
        return attempt -> {
            Exchange exchange = attempt.exchange();
            return exchange.identity().map(identity -> hash(identity.subject())).orElse(ABSENT);
        };
    }

    /** FNV-1a over the characters, then a 64-bit finaliser; {@link #ABSENT} for null. */
    static long hash(CharSequence key) {
        if (key == null) {
            return ABSENT;
        }
        return hash(key, 0, key.length());
    }

    /** The hash of {@code key[from, to)}. */
    static long hash(CharSequence key, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            h = (h ^ key.charAt(i)) * 0x100000001b3L;
        }
        long mixed = mix(h);
        return mixed == ABSENT ? 0 : mixed;
    }

    /** SplitMix64's finaliser: spreads every input bit over the output. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
