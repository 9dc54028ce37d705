package emulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;

/** {@code POST /oauth/v2/token}: the authorization_code, refresh_token, device_code and jwt-bearer grants. */
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
    /** jti of every accepted assertion until its exp, so none is accepted twice (RFC 7523 section 3). */
    private final Map<String, Instant> usedAssertionIds = new HashMap<>();

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
            return jwtBearer(form);
        }
        String clientId = authenticateClient(form);
        return switch (grantType) {
            case "authorization_code" -> exchangeCode(form, clientId);
            case "refresh_token" -> refresh(form, clientId);
            case DEVICE_CODE_GRANT -> exchangeDeviceCode(form, clientId);
            default -> throw new OAuthError("unsupported_grant_type", "grant type " + grantType + " is not supported; use "
                    + String.join(", ", List.of("authorization_code", "refresh_token", DEVICE_CODE_GRANT, JWT_BEARER_GRANT)));
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

    /**
     * Applies the JWT bearer grant (RFC 7523) of seeded service accounts. The assertion must be an RS256 JWT
     * signed with the account's key, with iss = sub = its client_id, this issuer as an audience, an
     * exp still ahead and a jti never used before. There is no client authentication, and no refresh
     * token is issued: the account signs a new assertion when its token expires.
     */
    private Map<String, Object> jwtBearer(Map<String, String> form) throws OAuthError {
        SignedJWT assertion;
        JWTClaimsSet claims;
        try {
            assertion = SignedJWT.parse(require(form, "assertion"));
            claims = assertion.getJWTClaimsSet();
        } catch (java.text.ParseException e) {
            throw new OAuthError("invalid_grant", "the assertion is not a signed JWT");
        }
        Seed.ServiceAccount account = verifyAssertion(assertion, claims);
        checkAssertionClaims(claims);
        rememberAssertionId(claims);
        String requested = form.get("scope");
        String scope = Scopes.validate(requested == null || requested.isBlank() ? "openid profile email" : requested);
        Seed.User user = seed.userByEmail(account.email())
                .orElseThrow(() -> new IllegalStateException("seeded service account " + account.email() + " has no user"));
        return serviceAccountTokens(user, scope);
    }

    /** Finds the service account of the assertion and checks its RS256 signature with the account's key. */
    private Seed.ServiceAccount verifyAssertion(SignedJWT assertion, JWTClaimsSet claims) throws OAuthError {
        if (!JWSAlgorithm.RS256.equals(assertion.getHeader().getAlgorithm())) {
            throw new OAuthError("invalid_grant", "the assertion is signed with " + assertion.getHeader().getAlgorithm()
                    + "; service account keys sign with RS256");
        }
        String clientId = claims.getIssuer();
        if (clientId == null || !clientId.equals(claims.getSubject())) {
            throw new OAuthError("invalid_grant", "the assertion's iss and sub must both be the service account's client_id");
        }
        Seed.ServiceAccount account = seed.serviceAccount(clientId).orElseThrow(() ->
                new OAuthError("invalid_grant", "no service account has client_id " + clientId));
        String keyId = assertion.getHeader().getKeyID();
        if (!account.keyId().equals(keyId)) {
            throw new OAuthError("invalid_grant", "key id " + keyId + " is not a key of service account " + account.email());
        }
        try {
            if (!assertion.verify(new RSASSAVerifier(account.publicKey()))) {
                throw new OAuthError("invalid_grant", "the assertion's signature does not match key " + keyId
                        + " of service account " + account.email());
            }
        } catch (JOSEException e) {
            throw new OAuthError("invalid_grant", "the assertion's signature cannot be verified: " + e.getMessage());
        }
        return account;
    }

    private void checkAssertionClaims(JWTClaimsSet claims) throws OAuthError {
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(signer.issuer())) {
            throw new OAuthError("invalid_grant", "the assertion's audience is " + audience + "; it must be the issuer "
                    + signer.issuer());
        }
        Instant now = Instant.now();
        Date expiry = claims.getExpirationTime();
        if (expiry == null || !now.isBefore(expiry.toInstant().plus(TokenSigner.MAX_SKEW))) {
            throw new OAuthError("invalid_grant", expiry == null ? "the assertion has no exp claim"
                    : "the assertion expired at " + expiry.toInstant() + "; sign a new one");
        }
        Date issuedAt = claims.getIssueTime();
        if (issuedAt != null && issuedAt.toInstant().isAfter(now.plus(TokenSigner.MAX_SKEW))) {
            throw new OAuthError("invalid_grant", "the assertion is issued in the future (" + issuedAt.toInstant()
                    + "); check the clock");
        }
    }

    private void rememberAssertionId(JWTClaimsSet claims) throws OAuthError {
        String id = claims.getJWTID();
        if (id == null || id.isEmpty()) {
            throw new OAuthError("invalid_grant", "the assertion has no jti claim");
        }
        Instant now = Instant.now();
        synchronized (usedAssertionIds) {
            usedAssertionIds.values().removeIf(expiry -> expiry.plus(TokenSigner.MAX_SKEW).isBefore(now));
            if (usedAssertionIds.containsKey(id)) {
                throw new OAuthError("invalid_grant", "the assertion with jti " + id
                        + " was already used; sign a new assertion for every token request");
            }
            usedAssertionIds.put(id, claims.getExpirationTime().toInstant());
        }
    }

    /**
     * Builds the tokens of a service account. Their audience lists the account and the registered
     * client, because the emulator's API server accepts only tokens issued for that client.
     */
    private Map<String, Object> serviceAccountTokens(Seed.User user, String scope) {
        Instant now = Instant.now();
        List<String> audience = List.of(user.sub(), OAuthState.CLIENT_ID);
        JWTClaimsSet access = new JWTClaimsSet.Builder(accessClaims(user, user.sub(), scope, now)).audience(audience).build();
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("access_token", signer.sign(access, TokenSigner.ACCESS_TOKEN_TYPE));
        response.put("token_type", "Bearer");
        response.put("expires_in", tokenTtlSeconds);
        if (Scopes.has(scope, "openid")) {
            JWTClaimsSet id = new JWTClaimsSet.Builder(idClaims(user, user.sub(), scope, now, now, null)).audience(audience).build();
            response.put("id_token", signer.sign(id, JOSEObjectType.JWT));
        }
        response.put("scope", scope);
        recordIssued(response);
        return response;
    }

    /** Remembers the response's tokens for {@link Emulator#issuedTokens()}. */
    private void recordIssued(Map<String, Object> response) {
        for (String field : List.of("access_token", "id_token", "refresh_token")) {
            if (response.get(field) instanceof String token) {
                state.issued.add(token);
            }
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
        recordIssued(response);
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
