package emulator;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/**
 * The device authorization grant (RFC 8628): {@code POST /oauth/v2/device_authorization}, the
 * verification page at {@code /device}, and the polling rules the token endpoint applies.
 */
final class DeviceFlow {

    /** RFC 8628 section 3.5: each slow_down adds this much to the required polling interval. */
    static final long SLOW_DOWN_STEP_SECONDS = 5;

    private final Seed seed;
    private final OAuthState state;
    private final String baseUrl;
    private final long intervalSeconds;
    private final long codeTtlSeconds;
    /** Sub of the user who approves every device code automatically, or null. */
    private final String approveAsSub;

    DeviceFlow(Seed seed, OAuthState state, String baseUrl, long intervalSeconds, long codeTtlSeconds, String approveAsSub) {
        this.seed = seed;
        this.state = state;
        this.baseUrl = baseUrl;
        this.intervalSeconds = intervalSeconds;
        this.codeTtlSeconds = codeTtlSeconds;
        this.approveAsSub = approveAsSub;
    }

    void handleAuthorization(HttpExchange exchange) throws IOException {
        try {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                throw new OAuthError("invalid_request", "the device authorization endpoint accepts POST only", 405);
            }
            Map<String, String> form = TokenEndpoint.readForm(exchange);
            String clientId = TokenEndpoint.authenticateClient(form);
            String scope = Scopes.validate(form.get("scope"));
            String challenge = pkceChallenge(form);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            HttpIo.sendJson(exchange, 200, newGrant(clientId, scope, challenge));
        } catch (OAuthError e) {
            e.send(exchange);
        }
    }

    /** Returns the S256 challenge when the client sent one, so the token request must then carry its verifier. */
    private static String pkceChallenge(Map<String, String> form) throws OAuthError {
        String challenge = form.get("code_challenge");
        String method = form.get("code_challenge_method");
        if (challenge == null && method == null) {
            return null;
        }
        if (challenge == null || challenge.isEmpty()) {
            throw new OAuthError("invalid_request", "code_challenge_method is set but code_challenge is missing");
        }
        if (!"S256".equals(method)) {
            throw new OAuthError("invalid_request", "code_challenge_method must be S256, got: " + method);
        }
        return challenge;
    }

    private Map<String, Object> newGrant(String clientId, String scope, String challenge) {
        String deviceCode = OAuthState.randomSecret();
        String userCode;
        synchronized (state) {
            userCode = state.newUserCode();
            OAuthState.DeviceGrant grant = new OAuthState.DeviceGrant(userCode, clientId, scope, challenge,
                    Instant.now().plusSeconds(codeTtlSeconds), intervalSeconds);
            String deviceHash = OAuthState.hash(deviceCode);
            state.deviceGrants.put(deviceHash, grant);
            state.deviceCodeByUserCode.put(userCode, deviceHash);
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("device_code", deviceCode);
        state.issued.add(deviceCode);
        response.put("user_code", userCode);
        response.put("verification_uri", baseUrl + "/device");
        response.put("verification_uri_complete", baseUrl + "/device?user_code=" + HttpIo.encode(userCode));
        response.put("expires_in", codeTtlSeconds);
        response.put("interval", intervalSeconds);
        return response;
    }

    /**
     * Applies one token-endpoint poll and returns the grant once it may be exchanged. The caller
     * holds the lock on the state. Order: unknown, used, expired, too fast, denied, pending.
     */
    OAuthState.DeviceGrant poll(Map<String, String> form, String clientId) throws OAuthError {
        String deviceCode = TokenEndpoint.require(form, "device_code");
        OAuthState.DeviceGrant grant = state.deviceGrants.get(OAuthState.hash(deviceCode));
        if (grant == null || !grant.clientId.equals(clientId)) {
            throw new OAuthError("invalid_grant", "the device code is unknown; start the device login again");
        }
        if (grant.status == OAuthState.DeviceStatus.USED || grant.status == OAuthState.DeviceStatus.REVOKED) {
            throw new OAuthError("invalid_grant", "the device code was already used or revoked; start the device login again");
        }
        Instant now = Instant.now();
        if (!now.isBefore(grant.expiresAt)) {
            throw new OAuthError("expired_token", "the device code expired; start the device login again");
        }
        checkInterval(grant, now);
        switch (grant.status) {
            case DENIED -> throw new OAuthError("access_denied", "the user denied the device login");
            case PENDING -> {
                if (approveAsSub != null) {
                    // Auto-approval waits for the first poll, so every client receives authorization_pending once.
                    approve(grant, approveAsSub);
                }
                throw new OAuthError("authorization_pending", "the user has not approved the device login yet");
            }
            default -> {
                if (grant.codeChallenge != null) {
                    TokenEndpoint.checkVerifier(TokenEndpoint.require(form, "code_verifier"), grant.codeChallenge);
                }
                grant.status = OAuthState.DeviceStatus.USED;
                return grant;
            }
        }
    }

    private static void checkInterval(OAuthState.DeviceGrant grant, Instant now) throws OAuthError {
        Instant previous = grant.lastPoll;
        grant.lastPoll = now;
        if (previous != null && now.isBefore(previous.plusSeconds(grant.intervalSeconds))) {
            grant.intervalSeconds += SLOW_DOWN_STEP_SECONDS;
            throw new OAuthError("slow_down", "polling faster than every " + (grant.intervalSeconds - SLOW_DOWN_STEP_SECONDS)
                    + " s; poll every " + grant.intervalSeconds + " s from now on");
        }
    }

    private static void approve(OAuthState.DeviceGrant grant, String sub) {
        grant.status = OAuthState.DeviceStatus.APPROVED;
        grant.sub = sub;
        grant.authTime = Instant.now();
    }

    /** Approves or denies a pending user code, or throws IllegalArgumentException saying why it cannot. */
    void decide(String userCode, String email, boolean approve) {
        synchronized (state) {
            OAuthState.DeviceGrant grant = state.deviceGrantByUserCode(userCode == null ? "" : userCode);
            if (grant == null || !Instant.now().isBefore(grant.expiresAt)) {
                throw new IllegalArgumentException("user code " + userCode + " is unknown or expired; start the device login again");
            }
            if (grant.status != OAuthState.DeviceStatus.PENDING) {
                throw new IllegalArgumentException("user code " + userCode + " was already " + grant.status.name().toLowerCase());
            }
            if (!approve) {
                grant.status = OAuthState.DeviceStatus.DENIED;
                return;
            }
            Seed.User user = seed.userByEmail(email == null ? "" : email).orElseThrow(() ->
                    new IllegalArgumentException("user " + email + " is not in the seed; choose one of " + emails()));
            approve(grant, user.sub());
        }
    }

    private String emails() {
        return String.join(", ", seed.users().stream().map(Seed.User::email).toList());
    }

    /** {@code GET /device} shows the verification form, {@code POST /device} applies the decision. */
    void handlePage(HttpExchange exchange) throws IOException {
        try {
            if (exchange.getRequestMethod().equals("GET")) {
                String userCode = HttpIo.query(exchange).getOrDefault("user_code", "");
                HttpIo.sendHtml(exchange, 200, Pages.devicePage(userCode, seed.users()));
            } else if (exchange.getRequestMethod().equals("POST")) {
                Map<String, String> form = HttpIo.form(exchange);
                boolean approve = "approve".equals(form.get("decision"));
                if (!approve && !"deny".equals(form.get("decision"))) {
                    throw new IllegalArgumentException("decision must be approve or deny");
                }
                decide(form.get("user_code"), form.get("email"), approve);
                HttpIo.sendHtml(exchange, 200, Pages.message(approve ? "Device approved"
                        : "Device denied", "You can close this window and return to your terminal."));
            } else {
                exchange.getResponseHeaders().set("Allow", "GET, POST");
                HttpIo.sendHtml(exchange, 405, Pages.message("Method not allowed", "Use GET or POST."));
            }
        } catch (HttpIo.BadRequest | IllegalArgumentException e) {
            HttpIo.sendHtml(exchange, 400, Pages.message("Device login failed", e.getMessage()));
        }
    }
}
