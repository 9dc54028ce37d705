package emulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-memory grants of the OIDC provider: pending browser authorizations, authorization codes,
 * refresh-token families and device codes. Secrets are stored as SHA-256 hashes only. Callers
 * synchronize on the instance around every check-then-change sequence.
 */
final class OAuthState {

    /** The one registered OAuth client: public, so it authenticates with its id alone. */
    static final String CLIENT_ID = "datumctl-local";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Every token and device code handed out, so tests can check that no output repeats one. */
    final java.util.List<String> issued = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    /** Letters of user codes: no vowels (no words) and none that read alike (RFC 8628 section 6.1). */
    private static final String USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ";

    /** A browser authorization waiting for the user to pick an account on the sign-in page. */
    record AuthorizationRequest(String id, String clientId, String redirectUri, String state, String scope,
            String codeChallenge, String nonce, Instant expiresAt) {}

    static final class AuthorizationCode {
        final AuthorizationRequest request;
        final String sub;
        final Instant authTime;
        final Instant expiresAt;
        boolean used;
        /** Family created by the exchange, revoked when the code is replayed (RFC 6749 section 4.1.2). */
        String familyId;

        AuthorizationCode(AuthorizationRequest request, String sub, Instant authTime, Instant expiresAt) {
            this.request = request;
            this.sub = sub;
            this.authTime = authTime;
            this.expiresAt = expiresAt;
        }
    }

    /** All refresh tokens descending from one sign-in. Revoking the family ends the session. */
    static final class Family {
        final String id;
        final String sub;
        final String clientId;
        final String scope;
        final Instant authTime;
        boolean revoked;

        Family(String id, String sub, String clientId, String scope, Instant authTime) {
            this.id = id;
            this.sub = sub;
            this.clientId = clientId;
            this.scope = scope;
            this.authTime = authTime;
        }
    }

    static final class RefreshToken {
        final String familyId;
        boolean spent;

        RefreshToken(String familyId) {
            this.familyId = familyId;
        }
    }

    enum DeviceStatus { PENDING, APPROVED, DENIED, USED, REVOKED }

    static final class DeviceGrant {
        final String userCode;
        final String clientId;
        final String scope;
        final String codeChallenge;
        final Instant expiresAt;
        long intervalSeconds;
        Instant lastPoll;
        DeviceStatus status = DeviceStatus.PENDING;
        String sub;
        Instant authTime;

        DeviceGrant(String userCode, String clientId, String scope, String codeChallenge, Instant expiresAt,
                long intervalSeconds) {
            this.userCode = userCode;
            this.clientId = clientId;
            this.scope = scope;
            this.codeChallenge = codeChallenge;
            this.expiresAt = expiresAt;
            this.intervalSeconds = intervalSeconds;
        }
    }

    final Map<String, AuthorizationRequest> authorizationRequests = new HashMap<>();
    final Map<String, AuthorizationCode> codes = new HashMap<>();
    final Map<String, Family> families = new HashMap<>();
    final Map<String, RefreshToken> refreshTokens = new HashMap<>();
    final Map<String, DeviceGrant> deviceGrants = new HashMap<>();
    final Map<String, String> deviceCodeByUserCode = new HashMap<>();
    final Set<String> revokedAccessTokenIds = new HashSet<>();
    private final Map<String, AtomicInteger> tokenRequests = new TreeMap<>();

    static String randomSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Returns a fresh user code such as {@code WDJB-MJHT}. */
    synchronized String newUserCode() {
        while (true) {
            StringBuilder code = new StringBuilder(9);
            for (int i = 0; i < 8; i++) {
                if (i == 4) {
                    code.append('-');
                }
                code.append(USER_CODE_LETTERS.charAt(RANDOM.nextInt(USER_CODE_LETTERS.length())));
            }
            if (!deviceCodeByUserCode.containsKey(code.toString())) {
                return code.toString();
            }
        }
    }

    /** Normalizes what a person typed: case and dashes or spaces do not matter. */
    static String normalizeUserCode(String typed) {
        String letters = typed.toUpperCase().replaceAll("[^A-Z]", "");
        return letters.length() == 8 ? letters.substring(0, 4) + "-" + letters.substring(4) : letters;
    }

    synchronized DeviceGrant deviceGrantByUserCode(String userCode) {
        String deviceHash = deviceCodeByUserCode.get(normalizeUserCode(userCode));
        return deviceHash == null ? null : deviceGrants.get(deviceHash);
    }

    /** Creates a family and its first refresh token, returning the token. */
    synchronized String newFamily(String sub, String clientId, String scope, Instant authTime) {
        Family family = new Family(randomSecret(), sub, clientId, scope, authTime);
        families.put(family.id, family);
        return newRefreshToken(family);
    }

    synchronized String newRefreshToken(Family family) {
        String token = randomSecret();
        refreshTokens.put(hash(token), new RefreshToken(family.id));
        return token;
    }

    /** Ends every session of the user: refresh families, unused codes and approved device codes. */
    synchronized void revokeUser(String sub) {
        families.values().stream().filter(f -> f.sub.equals(sub)).forEach(f -> f.revoked = true);
        codes.values().stream().filter(c -> c.sub.equals(sub)).forEach(c -> c.used = true);
        deviceGrants.values().stream()
                .filter(d -> sub.equals(d.sub) && d.status == DeviceStatus.APPROVED)
                .forEach(d -> d.status = DeviceStatus.REVOKED);
    }

    void countTokenRequest(String grantType) {
        synchronized (tokenRequests) {
            tokenRequests.computeIfAbsent(grantType, g -> new AtomicInteger()).incrementAndGet();
        }
    }

    int tokenRequestCount(String grantType) {
        synchronized (tokenRequests) {
            AtomicInteger count = tokenRequests.get(grantType);
            return count == null ? 0 : count.get();
        }
    }

    Map<String, Integer> tokenRequestCounts() {
        synchronized (tokenRequests) {
            Map<String, Integer> copy = new TreeMap<>();
            tokenRequests.forEach((grant, count) -> copy.put(grant, count.get()));
            return copy;
        }
    }
}
