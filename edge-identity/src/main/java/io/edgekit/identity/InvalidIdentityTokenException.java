package io.edgekit.identity;

/** An identity token that must not be believed: its reason says why (never the token itself). */
public final class InvalidIdentityTokenException extends Exception {
    public InvalidIdentityTokenException(String reason) {
        super(reason, null, false, false);
    }
}
