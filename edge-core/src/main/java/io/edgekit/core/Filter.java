package io.edgekit.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The reverse-proxy role's extension point: an onion around the request. A filter either answers
 * itself (returns a response without calling {@code next}) or calls {@link Next#proceed} at most once
 * and may change the response it gets back; responses unwind through the filters in reverse order.
 *
 * <p>Filters run on IO threads and must not block: return a completed stage for synchronous logic
 * ({@link Response#completed()}), and use {@link Exchange#offload} for anything that blocks. A filter
 * that throws is a bug: the edge answers 500 and logs it once.
 */
@FunctionalInterface
public interface Filter {

    CompletionStage<Response> filter(Exchange exchange, Request request, Next next);

    /** The name {@code explain} shows for this filter. */
    default String name() {
        return Names.of(this);
    }

    /** The rest of the chain. */
    @FunctionalInterface
    interface Next {
        CompletionStage<Response> proceed(Request request);
    }

    /** A filter shown as {@code name} by {@code explain}. */
    static Filter named(String name, Filter filter) {
        requireNonNull(name, "name");
        requireNonNull(filter, "filter");
        return new Filter() {
            @Override
            public CompletionStage<Response> filter(Exchange exchange, Request request, Next next) {
                return filter.filter(exchange, request, next);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** The filters as one filter, in order: the first is the outermost layer. */
    static Filter chain(Filter... filters) {
        return chain(List.of(filters));
    }

    static Filter chain(List<Filter> filters) {
        List<Filter> copy = List.copyOf(filters);
        return new Filter() {
            @Override
            public CompletionStage<Response> filter(Exchange exchange, Request request, Next next) {
                return proceed(0, exchange, request, next);
            }

            private CompletionStage<Response> proceed(int index, Exchange exchange, Request request, Next last) {
                if (index == copy.size()) {
                    return last.proceed(request);
                }
                return copy.get(index).filter(exchange, request, r -> proceed(index + 1, exchange, r, last));
            }

            @Override
            public String name() {
                return "chain" + copy.stream().map(Filter::name).toList();
            }
        };
    }
}
