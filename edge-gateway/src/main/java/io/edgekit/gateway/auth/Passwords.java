package io.edgekit.gateway.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for {@link BasicAuth}: PBKDF2 with HMAC-SHA256 (the JDK's), written as
 * {@code pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>}. Checking one costs tens of
 * milliseconds on purpose, so {@link BasicAuth} checks on the offload executor, never an IO thread.
 */
public final class Passwords {
    /** OWASP's advice for PBKDF2-HMAC-SHA256 (2023). */
    public static final int ITERATIONS = 600_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    /** A hash of {@code password} with a new random salt, to store in place of the password. */
    public static String hash(char[] password) {
        return hash(password, ITERATIONS);
    }

    /** As {@link #hash(char[])} with another iteration count (at least 10,000). */
    public static String hash(char[] password, int iterations) {
        if (iterations < 10_000) {
            throw new IllegalArgumentException("iterations: " + iterations + " (expected: at least 10,000)");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "pbkdf2-sha256$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derive(password, salt, iterations));
    }

    /** Whether {@code password} matches {@code stored}, compared in constant time. */
    static boolean matches(String password, String stored) {
        String[] parts = stored.split("\\$");
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        byte[] actual = derive(password.toCharArray(), salt, Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    /** Checks that {@code stored} is a hash this class writes; throws naming what is wrong. */
    static String checkFormat(String stored) {
        String[] parts = stored.split("\\$");
        try {
            if (parts.length == 4 && parts[0].equals("pbkdf2-sha256") && Integer.parseInt(parts[1]) >= 10_000
                    && Base64.getDecoder().decode(parts[2]).length >= 8 && Base64.getDecoder().decode(parts[3]).length == 32) {
                return stored;
            }
        } catch (IllegalArgumentException e) {
            // falls through
        }
        throw new IllegalArgumentException("password hash: not pbkdf2-sha256$<iterations>$<salt>$<hash> (make one with"
                + " Passwords.hash; never store the password itself)");
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always has PBKDF2WithHmacSHA256", e);
        }
    }

    static byte[] sha256(String user, String password) {
        return InMemoryApiKeys.sha256(user + '\u0000' + password);
    }
}
