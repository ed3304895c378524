package io.edgekit.core;

import java.util.concurrent.CompletionStage;

/**
 * An in-process target: a route whose target is a handler answers in the same JVM, with no network
 * hop. Like filters, handlers run on IO threads and must not block.
 */
@FunctionalInterface
public interface Handler {
    CompletionStage<Response> handle(Exchange exchange, Request request);

    default String name() {
        return Names.of(this);
    }

    static Handler named(String name, Handler handler) {
        return new Handler() {
            @Override
            public CompletionStage<Response> handle(Exchange exchange, Request request) {
                return handler.handle(exchange, request);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
