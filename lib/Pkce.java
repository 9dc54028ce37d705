package lib;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A PKCE pair (RFC 7636): a random code verifier and its S256 code challenge, plus the random
 * values a login sends as state and nonce.
 *
 * <p>The verifier is a secret until the code exchange, so toString does not show it.
 */
public final class Pkce {

    public static final String METHOD = "S256";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int VERIFIER_BYTES = 32;
    private static final int MIN_VERIFIER_LENGTH = 43;
    private static final int MAX_VERIFIER_LENGTH = 128;

    private final String verifier;
    private final String challenge;

    private Pkce(String verifier) {
        this.verifier = verifier;
        this.challenge = challenge(verifier);
    }

    /** Creates a pair whose verifier is 32 random bytes, base64url-encoded to 43 characters. */
    public static Pkce create() {
        return new Pkce(randomToken(VERIFIER_BYTES));
    }

    public String verifier() {
        return verifier;
    }

    public String challenge() {
        return challenge;
    }

    /**
     * Computes the S256 challenge: base64url(SHA-256(ASCII(verifier))) without padding.
     * Throws IllegalArgumentException for a verifier that RFC 7636 section 4.1 does not allow.
     */
    public static String challenge(String verifier) {
        if (!isValidVerifier(verifier)) {
            throw new IllegalArgumentException("a PKCE code verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    static boolean isValidVerifier(String verifier) {
        if (verifier == null || verifier.length() < MIN_VERIFIER_LENGTH || verifier.length() > MAX_VERIFIER_LENGTH) {
            return false;
        }
        for (char c : verifier.toCharArray()) {
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
            if (!unreserved) {
                return false;
            }
        }
        return true;
    }

    /** Generates a state or nonce value: 32 bytes from SecureRandom, base64url without padding. */
    public static String randomToken() {
        return randomToken(VERIFIER_BYTES);
    }

    private static String randomToken(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    @Override
    public String toString() {
        return "Pkce[method=" + METHOD + "]";
    }
}
