package lib;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * Reads the claims of a JWT without checking its signature. Only for tokens that came straight
 * from the token endpoint over TLS or from our own store; login verifies ID tokens fully.
 */
public final class JwtClaims {

    private JwtClaims() {
    }

    /** Returns the payload's claims, or null when the text is not a JWT with a JSON payload. */
    public static Map<String, Object> read(String jwt) {
        if (jwt == null) {
            return null;
        }
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
            return Json.parseObject(new String(payload, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Returns the exp claim, or null when absent. */
    public static Instant expiry(String jwt) {
        Map<String, Object> claims = read(jwt);
        if (claims == null || !(claims.get("exp") instanceof Number exp)) {
            return null;
        }
        return Instant.ofEpochSecond(exp.longValue());
    }
}
