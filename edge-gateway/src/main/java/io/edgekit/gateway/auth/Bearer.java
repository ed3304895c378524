package io.edgekit.gateway.auth;

/** Reading an {@code Authorization: Bearer} field (RFC 6750 section 2.1), and the scopes a token grants. */
final class Bearer {
    private Bearer() {
    }

    /** The token of the field, or null when the field is not a bearer credential with a token68 value. */
    static String token(String field) {
        if (field.length() < 8 || !field.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = field.substring(7).trim();
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && "-._~+/=".indexOf(c) < 0) {
                return null;
            }
        }
        return token.isEmpty() ? null : token;
    }

    /** Adds the scopes of a space-separated {@code scope} value (RFC 6749 section 3.3) to {@code into}. */
    static void addScopes(String scope, java.util.Set<String> into) {
        for (String one : scope.trim().split("\\s+")) {
            if (!one.isEmpty()) {
                into.add(one);
            }
        }
    }
}
