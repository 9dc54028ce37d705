package emulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpExchange;

/** {@code POST /oauth/v2/token}: the authorization_code, refresh_token and device_code grants. */
final class TokenEndpoint {

    static final String DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    static final String JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /** RFC 7636 section 4.1: 43 to 128 unreserved characters. */
    private static final Pattern CODE_VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

    private final Seed seed;
    private final OAuthState state;
    private final TokenSigner signer;
    private final DeviceFlow deviceFlow;
    private final long tokenTtlSeconds;

    TokenEndpoint(Seed seed, OAuthState state, TokenSigner signer, DeviceFlow deviceFlow, long tokenTtlSeconds) {
        this.seed = seed;
        this.state = state;
        this.signer = signer;
        this.deviceFlow = deviceFlow;
        this.tokenTtlSeconds = tokenTtlSeconds;
    }

    void handle(HttpExchange exchange) throws IOException {
        try {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                throw new OAuthError("invalid_request", "the token endpoint accepts POST only", 405);
            }
            Map<String, String> form = readForm(exchange);
            Map<String, Object> tokens = grant(form);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("Pragma", "no-cache");
            HttpIo.sendJson(exchange, 200, tokens);
        } catch (OAuthError e) {
            e.send(exchange);
        }
    }

    static Map<String, String> readForm(HttpExchange exchange) throws IOException, OAuthError {
        try {
            return HttpIo.form(exchange);
        } catch (HttpIo.BadRequest e) {
            throw new OAuthError("invalid_request", e.getMessage());
        }
    }

    private Map<String, Object> grant(Map<String, String> form) throws OAuthError {
        String grantType = form.get("grant_type");
        if (grantType == null || grantType.isEmpty()) {
            throw new OAuthError("invalid_request", "grant_type is missing");
        }
        state.countTokenRequest(grantType);
        if (grantType.equals(JWT_BEARER_GRANT)) {
            // TODO: service-account login (JWT profile grant) is not emulated yet. List it in discovery once it is.
            throw new OAuthError("unsupported_grant_type", "grant type " + grantType
                    + " is not supported by the emulator yet: service accounts cannot sign in");
        }
        String clientId = authenticateClient(form);
        return switch (grantType) {
            case "authorization_code" -> exchangeCode(form, clientId);
            case "refresh_token" -> refresh(form, clientId);
            case DEVICE_CODE_GRANT -> exchangeDeviceCode(form, clientId);
            default -> throw new OAuthError("unsupported_grant_type", "grant type " + grantType + " is not supported; use "
                    + String.join(", ", List.of("authorization_code", "refresh_token", DEVICE_CODE_GRANT)));
        };
    }

    /** Authenticates a public client by client_id alone. A secret means the client is misconfigured. */
    static String authenticateClient(Map<String, String> form) throws OAuthError {
        String clientId = form.get("client_id");
        if (clientId == null || clientId.isEmpty()) {
            throw new OAuthError("invalid_client", "client_id is missing");
        }
        if (!clientId.equals(OAuthState.CLIENT_ID)) {
            throw new OAuthError("invalid_client", "client " + clientId + " is not registered; use " + OAuthState.CLIENT_ID);
        }
        if (form.containsKey("client_secret")) {
            throw new OAuthError("invalid_client", "client " + clientId + " is public and has no secret; do not send client_secret");
        }
        return clientId;
    }

    static String require(Map<String, String> form, String name) throws OAuthError {
        String value = form.get(name);
        if (value == null || value.isEmpty()) {
            throw new OAuthError("invalid_request", name + " is missing");
        }
        return value;
    }

    private Map<String, Object> exchangeCode(Map<String, String> form, String clientId) throws OAuthError {
        String code = require(form, "code");
        String redirectUri = require(form, "redirect_uri");
        String verifier = require(form, "code_verifier");
        synchronized (state) {
            OAuthState.AuthorizationCode grant = state.codes.get(OAuthState.hash(code));
            if (grant == null || Instant.now().isAfter(grant.expiresAt)) {
                throw new OAuthError("invalid_grant", "the authorization code is unknown or expired; sign in again");
            }
            if (grant.used) {
                revokeFamily(grant.familyId);
                throw new OAuthError("invalid_grant", "the authorization code was already used; tokens issued for it are revoked");
            }
            if (!grant.request.clientId().equals(clientId)) {
                throw new OAuthError("invalid_grant", "the authorization code was issued to another client");
            }
            if (!grant.request.redirectUri().equals(redirectUri)) {
                throw new OAuthError("invalid_grant", "redirect_uri " + redirectUri + " differs from the one of the authorization request");
            }
            checkVerifier(verifier, grant.request.codeChallenge());
            grant.used = true;
            String refreshToken = null;
            if (Scopes.has(grant.request.scope(), "offline_access")) {
                refreshToken = state.newFamily(grant.sub, clientId, grant.request.scope(), grant.authTime);
                grant.familyId = state.refreshTokens.get(OAuthState.hash(refreshToken)).familyId;
            }
            return tokens(grant.sub, clientId, grant.request.scope(), grant.authTime, grant.request.nonce(), refreshToken);
        }
    }

    private void revokeFamily(String familyId) {
        OAuthState.Family family = familyId == null ? null : state.families.get(familyId);
        if (family != null) {
            family.revoked = true;
        }
    }

    /** Checks a PKCE code_verifier against an S256 code_challenge (RFC 7636 section 4.6). */
    static void checkVerifier(String verifier, String challenge) throws OAuthError {
        if (!CODE_VERIFIER.matcher(verifier).matches()) {
            throw new OAuthError("invalid_request", "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~");
        }
        if (!s256(verifier).equals(challenge)) {
            throw new OAuthError("invalid_grant", "code_verifier does not match the code_challenge of the request");
        }
    }

    static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private Map<String, Object> refresh(Map<String, String> form, String clientId) throws OAuthError {
        String token = require(form, "refresh_token");
        synchronized (state) {
            OAuthState.RefreshToken refreshToken = state.refreshTokens.get(OAuthState.hash(token));
            if (refreshToken == null) {
                throw new OAuthError("invalid_grant", "the refresh token is unknown; sign in again");
            }
            OAuthState.Family family = state.families.get(refreshToken.familyId);
            if (family.revoked) {
                throw new OAuthError("invalid_grant", "the refresh token was revoked; sign in again");
            }
            if (refreshToken.spent) {
                // A spent token presented again means two holders: end the whole session (reuse detection).
                family.revoked = true;
                throw new OAuthError("invalid_grant", "the refresh token was already used; the session is revoked, sign in again");
            }
            if (!family.clientId.equals(clientId)) {
                throw new OAuthError("invalid_grant", "the refresh token was issued to another client");
            }
            String scope = narrowScope(form.get("scope"), family.scope);
            refreshToken.spent = true;
            String next = state.newRefreshToken(family);
            return tokens(family.sub, clientId, scope, family.authTime, null, next);
        }
    }

    private static String narrowScope(String requested, String granted) throws OAuthError {
        if (requested == null || requested.isEmpty()) {
            return granted;
        }
        for (String scope : Scopes.parse(requested)) {
            if (!Scopes.has(granted, scope)) {
                throw new OAuthError("invalid_scope", "scope " + scope + " was not granted to this session; granted: " + granted);
            }
        }
        return String.join(" ", Scopes.parse(requested));
    }

    private Map<String, Object> exchangeDeviceCode(Map<String, String> form, String clientId) throws OAuthError {
        synchronized (state) {
            OAuthState.DeviceGrant grant = deviceFlow.poll(form, clientId);
            String refreshToken = null;
            if (Scopes.has(grant.scope, "offline_access")) {
                refreshToken = state.newFamily(grant.sub, clientId, grant.scope, grant.authTime);
            }
            return tokens(grant.sub, clientId, grant.scope, grant.authTime, null, refreshToken);
        }
    }

    /** Builds a token response: a JWT access token, an ID token and, when given, the refresh token. */
    private Map<String, Object> tokens(String sub, String clientId, String scope, Instant authTime, String nonce,
            String refreshToken) {
        Seed.User user = seed.userBySub(sub).orElseThrow(() -> new IllegalStateException("seeded user " + sub + " vanished"));
        Instant now = Instant.now();
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("access_token", signer.sign(accessClaims(user, clientId, scope, now), TokenSigner.ACCESS_TOKEN_TYPE));
        response.put("token_type", "Bearer");
        response.put("expires_in", tokenTtlSeconds);
        if (refreshToken != null) {
            response.put("refresh_token", refreshToken);
        }
        response.put("id_token", signer.sign(idClaims(user, clientId, scope, now, authTime, nonce), JOSEObjectType.JWT));
        response.put("scope", scope);
        return response;
    }

    private JWTClaimsSet accessClaims(Seed.User user, String clientId, String scope, Instant now) {
        return new JWTClaimsSet.Builder()
                .issuer(signer.issuer())
                .subject(user.sub())
                .audience(List.of(clientId))
                .expirationTime(Date.from(now.plusSeconds(tokenTtlSeconds)))
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .jwtID(UUID.randomUUID().toString())
                .claim("client_id", clientId)
                .claim("scope", scope)
                .claim("email", user.email())
                .build();
    }

    private JWTClaimsSet idClaims(Seed.User user, String clientId, String scope, Instant now, Instant authTime, String nonce) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(signer.issuer())
                .subject(user.sub())
                .audience(clientId)
                .expirationTime(Date.from(now.plusSeconds(tokenTtlSeconds)))
                .issueTime(Date.from(now))
                .claim("azp", clientId)
                .claim("auth_time", authTime.getEpochSecond());
        userClaims(user, scope).forEach(claims::claim);
        if (nonce != null) {
            claims.claim("nonce", nonce);
        }
        return claims.build();
    }

    /** Returns the standard claims that the granted scopes release (OIDC Core section 5.4). */
    static Map<String, Object> userClaims(Seed.User user, String scope) {
        Map<String, Object> claims = new LinkedHashMap<>();
        if (Scopes.has(scope, "email")) {
            claims.put("email", user.email());
            claims.put("email_verified", true);
        }
        if (Scopes.has(scope, "profile")) {
            claims.put("name", user.name());
            claims.put("given_name", user.givenName());
            if (!user.familyName().isEmpty()) {
                claims.put("family_name", user.familyName());
            }
            claims.put("preferred_username", user.email());
        }
        return claims;
    }
}
