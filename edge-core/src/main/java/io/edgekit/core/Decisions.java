package io.edgekit.core;

/** Combining allow decisions. */
final class Decisions {
    private Decisions() {
    }

    static Decision merge(Decision sum, Decision next) {
        if (sum == Decision.allow()) {
            return next;
        }
        if (next == Decision.allow()) {
            return sum;
        }
        Decision merged = sum;
        if (next.identity().isPresent()) {
            merged = merged.withIdentity(next.identity().get());
        }
        Headers request = next.requestHeaders();
        for (int i = 0; i < request.size(); i++) {
            merged = merged.withRequestHeader(request.name(i), request.value(i));
        }
        Headers response = next.responseHeaders();
        for (int i = 0; i < response.size(); i++) {
            merged = merged.withResponseHeader(response.name(i), response.value(i));
        }
        return merged;
    }
}
