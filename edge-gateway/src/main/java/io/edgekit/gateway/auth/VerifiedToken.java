package io.edgekit.gateway.auth;

import io.edgekit.core.Identity;
import java.util.List;

/**
 * What a verified token grants, kept in the cache until the token expires: the identity, the claim fields
 * to forward, and the times it is valid between (epoch seconds; {@code notBefore} 0 when none).
 */
record VerifiedToken(Identity identity, List<String[]> forwarded, long expiresAt, long notBefore) {
}
