package io.edgekit.core;

/** Display names of filters, policies and handlers, for {@code explain}. */
final class Names {
    private Names() {
    }

    static String of(Object component) {
        Class<?> type = component.getClass();
        if (type.isSynthetic() || type.isAnonymousClass() || type.getSimpleName().contains("$$Lambda")) {
            return "anonymous";
        }
        return type.getSimpleName();
    }
}
