package emulator;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;

/** The OpenID Provider at Zitadel's paths: routes each OIDC path to its endpoint. */
final class OidcProvider {

    private final Seed seed;
    private final OAuthState state;
    private final TokenSigner signer;
    private final AuthorizeEndpoint authorize;
    private final TokenEndpoint token;
    private final DeviceFlow device;

    OidcProvider(Seed seed, OAuthState state, TokenSigner signer, AuthorizeEndpoint authorize, TokenEndpoint token,
            DeviceFlow device) {
        this.seed = seed;
        this.state = state;
        this.signer = signer;
        this.authorize = authorize;
        this.token = token;
        this.device = device;
    }

    /** Handles the request when its path belongs to the provider, else returns false. */
    boolean handle(HttpExchange exchange, String path) throws IOException {
        switch (path) {
            case "/.well-known/openid-configuration" -> getOnly(exchange, () -> HttpIo.sendJson(exchange, 200, discovery()));
            case "/oauth/v2/keys" -> getOnly(exchange, () -> HttpIo.sendJson(exchange, 200, signer.jwks()));
            case "/oauth/v2/authorize" -> authorize.handleAuthorize(exchange);
            case "/oauth/v2/authorize/decision" -> authorize.handleDecision(exchange);
            case "/oauth/v2/token" -> token.handle(exchange);
            case "/oauth/v2/device_authorization" -> device.handleAuthorization(exchange);
            case "/device" -> device.handlePage(exchange);
            case "/oidc/v1/userinfo" -> userinfo(exchange);
            case "/oauth/v2/revoke" -> revoke(exchange);
            case "/oidc/v1/end_session" -> getOnly(exchange, () -> HttpIo.sendHtml(exchange, 200,
                    Pages.message("Signed out", "The emulator keeps no browser session, so there is nothing to end.")));
            default -> {
                return false;
            }
        }
        return true;
    }

    private interface Response {
        void send() throws IOException;
    }

    private static void getOnly(HttpExchange exchange, Response response) throws IOException {
        if (exchange.getRequestMethod().equals("GET") || exchange.getRequestMethod().equals("HEAD")) {
            response.send();
            return;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        HttpIo.sendJson(exchange, 405, Map.of("error", "invalid_request", "error_description",
                exchange.getRequestMethod() + " is not allowed here; use GET"));
    }

    private Map<String, Object> discovery() {
        String issuer = signer.issuer();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", issuer);
        document.put("authorization_endpoint", issuer + "/oauth/v2/authorize");
        document.put("token_endpoint", issuer + "/oauth/v2/token");
        document.put("device_authorization_endpoint", issuer + "/oauth/v2/device_authorization");
        document.put("userinfo_endpoint", issuer + "/oidc/v1/userinfo");
        document.put("revocation_endpoint", issuer + "/oauth/v2/revoke");
        document.put("end_session_endpoint", issuer + "/oidc/v1/end_session");
        document.put("jwks_uri", issuer + "/oauth/v2/keys");
        document.put("response_types_supported", List.of("code"));
        document.put("response_modes_supported", List.of("query"));
        document.put("grant_types_supported", List.of("authorization_code", "refresh_token", TokenEndpoint.DEVICE_CODE_GRANT,
                TokenEndpoint.JWT_BEARER_GRANT));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported", List.of("RS256"));
        document.put("scopes_supported", Scopes.SUPPORTED);
        document.put("token_endpoint_auth_methods_supported", List.of("none", "private_key_jwt"));
        document.put("revocation_endpoint_auth_methods_supported", List.of("none"));
        document.put("code_challenge_methods_supported", List.of("S256"));
        document.put("claims_supported", List.of("sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp",
                "email", "email_verified", "name", "given_name", "family_name", "preferred_username"));
        document.put("prompt_values_supported", List.of("none", "login", "consent", "select_account"));
        return document;
    }

    /** {@code /oidc/v1/userinfo}: the claims of the access token's user, released by its scopes. */
    private void userinfo(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "GET, POST");
            HttpIo.sendJson(exchange, 405, Map.of("error", "invalid_request", "error_description", "use GET or POST"));
            return;
        }
        String authorization = HttpIo.header(exchange, "Authorization");
        try {
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new TokenSigner.InvalidToken("the Authorization header has no Bearer access token");
            }
            SignedJWT jwt = signer.verify(authorization.substring(7).trim());
            if (!TokenSigner.ACCESS_TOKEN_TYPE.equals(jwt.getHeader().getType())) {
                throw new TokenSigner.InvalidToken("the bearer token is not an access token");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (isRevoked(claims.getJWTID())) {
                throw new TokenSigner.InvalidToken("the access token was revoked");
            }
            Seed.User user = seed.userBySub(claims.getSubject())
                    .orElseThrow(() -> new TokenSigner.InvalidToken("the access token's user no longer exists"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("sub", user.sub());
            body.putAll(TokenEndpoint.userClaims(user, claims.getStringClaim("scope")));
            HttpIo.sendJson(exchange, 200, body);
        } catch (TokenSigner.InvalidToken | java.text.ParseException e) {
            exchange.getResponseHeaders().set("WWW-Authenticate",
                    "Bearer error=\"invalid_token\", error_description=\"" + e.getMessage().replace("\"", "'") + "\"");
            HttpIo.sendJson(exchange, 401, Map.of("error", "invalid_token", "error_description", e.getMessage()));
        }
    }

    boolean isRevoked(String accessTokenId) {
        synchronized (state) {
            return accessTokenId != null && state.revokedAccessTokenIds.contains(accessTokenId);
        }
    }

    /** {@code POST /oauth/v2/revoke} (RFC 7009): unknown tokens are not an error. */
    private void revoke(HttpExchange exchange) throws IOException {
        try {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                throw new OAuthError("invalid_request", "the revocation endpoint accepts POST only", 405);
            }
            Map<String, String> form = TokenEndpoint.readForm(exchange);
            TokenEndpoint.authenticateClient(form);
            String token = TokenEndpoint.require(form, "token");
            revokeToken(token);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            HttpIo.send(exchange, 200, "application/json", new byte[0]);
        } catch (OAuthError e) {
            e.send(exchange);
        }
    }

    private void revokeToken(String token) {
        synchronized (state) {
            OAuthState.RefreshToken refreshToken = state.refreshTokens.get(OAuthState.hash(token));
            if (refreshToken != null) {
                state.families.get(refreshToken.familyId).revoked = true;
                return;
            }
        }
        try {
            SignedJWT jwt = signer.verify(token);
            if (TokenSigner.ACCESS_TOKEN_TYPE.equals(jwt.getHeader().getType())) {
                synchronized (state) {
                    state.revokedAccessTokenIds.add(jwt.getJWTClaimsSet().getJWTID());
                }
            }
        } catch (TokenSigner.InvalidToken | java.text.ParseException e) {
            // RFC 7009 section 2.2: the response to an invalid or unknown token is 200 as well.
        }
    }
}
